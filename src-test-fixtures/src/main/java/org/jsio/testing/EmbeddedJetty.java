package org.jsio.testing;

import jakarta.servlet.http.HttpServlet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Jetty 12 (ee10), one root context. See {@link EmbeddedContainer}.
 *
 * <p>Jetty's Jakarta WebSocket layer is left out unless {@link #jakartaWebSocket} asks for it:
 * Socket.IO servlets upgrade through Jetty's WebSocket core, which needs no Jakarta layer, and
 * without it no filter of that layer sits in front of every request. Servlets that use the
 * Jakarta WebSocket API (Socket.IO's with {@code jettyCore} switched off among them) need it.
 */
public final class EmbeddedJetty implements EmbeddedContainer {
    private final List<Mount> mounts = new ArrayList<>();
    private final Map<String, String> contextParameters = new LinkedHashMap<>();
    private boolean jakartaWebSocket;
    private Server server;
    private ServerConnector connector;
    private boolean closed;

    /** An unstarted container; see {@link EmbeddedContainer#create}. */
    public EmbeddedJetty() {
    }

    @Override
    public String kind() {
        return "jetty";
    }

    @Override
    public synchronized EmbeddedJetty mount(String pathSpec, HttpServlet servlet) {
        if (server != null) {
            throw new IllegalStateException("mount servlets before start()");
        }
        mounts.add(new Mount(pathSpec, servlet));
        return this;
    }

    /** Sets a context-param ({@code ServletContext.getInitParameter}). Only before {@link #start}. */
    public synchronized EmbeddedJetty contextParameter(String name, String value) {
        if (server != null) {
            throw new IllegalStateException("set context parameters before start()");
        }
        contextParameters.put(name, value);
        return this;
    }

    /** Sets up Jetty's Jakarta WebSocket support in the context (off by default). Only before {@link #start}. */
    public synchronized EmbeddedJetty jakartaWebSocket(boolean on) {
        if (server != null) {
            throw new IllegalStateException("choose the WebSocket support before start()");
        }
        jakartaWebSocket = on;
        return this;
    }

    @Override
    public synchronized EmbeddedJetty start(String host, int port) throws Exception {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        Server s = new Server();
        ServerConnector c = new ServerConnector(s);
        c.setHost(host);
        c.setPort(port);
        s.addConnector(c);

        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
        contextParameters.forEach(context::setInitParameter);
        if (jakartaWebSocket) {
            JakartaWebSocketServletContainerInitializer.configure(context, null);
        }
        for (Mount m : mounts) {
            ServletHolder holder = new ServletHolder(m.servlet);
            holder.setAsyncSupported(true);
            context.addServlet(holder, m.pathSpec);
        }
        s.setHandler(context);
        server = s;
        connector = c;
        try {
            s.start();
        } catch (Exception e) {
            close();
            throw e;
        }
        return this;
    }

    @Override
    public synchronized int port() {
        if (connector == null) {
            throw new IllegalStateException("not started");
        }
        return connector.getLocalPort();
    }

    @Override
    public synchronized void close() {
        Server s = server;
        if (s == null || closed) {
            return;
        }
        closed = true;
        try {
            s.stop();
            s.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop cleanly", e);
        } finally {
            s.destroy();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedJetty" + (connector == null ? "[not started]" : "[" + connector.getLocalPort() + "]");
    }

    private record Mount(String pathSpec, HttpServlet servlet) {
    }
}
