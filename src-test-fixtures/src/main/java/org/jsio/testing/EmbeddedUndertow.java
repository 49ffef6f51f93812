package org.jsio.testing;

import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Undertow 2.3 (embedded, Servlet 6.0), one root context, for tests on a container that is
 * neither Jetty nor Tomcat: Socket.IO servlets there upgrade WebSockets with the Servlet API, as
 * they do on any container but Jetty. No Jakarta WebSocket support is installed. See
 * {@link EmbeddedContainer}.
 */
public final class EmbeddedUndertow implements EmbeddedContainer {
    private final List<Mount> mounts = new ArrayList<>();
    private Undertow undertow;
    private DeploymentManager deployment;
    private int port = -1;
    private boolean closed;

    /** An unstarted container; see {@link EmbeddedContainer#create}. */
    public EmbeddedUndertow() {
    }

    @Override
    public String kind() {
        return "undertow";
    }

    @Override
    public synchronized EmbeddedUndertow mount(String pathSpec, HttpServlet servlet) {
        if (undertow != null) {
            throw new IllegalStateException("mount servlets before start()");
        }
        mounts.add(new Mount(pathSpec, servlet));
        return this;
    }

    @Override
    public synchronized EmbeddedUndertow start(String host, int port) throws Exception {
        if (undertow != null) {
            throw new IllegalStateException("already started");
        }
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(EmbeddedUndertow.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("ROOT");
        int n = 0;
        for (Mount m : mounts) {
            ServletInfo servlet = Servlets.servlet("servlet-" + n++, m.servlet.getClass(),
                    new ImmediateInstanceFactory<>(m.servlet));
            info.addServlet(servlet.addMapping(m.pathSpec).setAsyncSupported(true));
        }
        DeploymentManager manager = Servlets.newContainer().addDeployment(info);
        manager.deploy();
        deployment = manager;
        try {
            undertow = Undertow.builder().addHttpListener(port, host).setHandler(manager.start()).build();
            undertow.start();
            this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        } catch (ServletException | RuntimeException e) {
            close();
            throw e;
        }
        if (this.port <= 0) {
            close();
            throw new IOException("Undertow could not listen on " + host + ":" + port);
        }
        return this;
    }

    @Override
    public synchronized int port() {
        if (port < 0) {
            throw new IllegalStateException("not started");
        }
        return port;
    }

    @Override
    public synchronized void close() {
        if (deployment == null || closed) {
            return;
        }
        closed = true;
        try {
            if (undertow != null) {
                undertow.stop();
            }
            deployment.stop();
        } catch (ServletException e) {
            throw new IllegalStateException("Undertow did not stop cleanly", e);
        } finally {
            deployment.undeploy();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedUndertow" + (port < 0 ? "[not started]" : "[" + port + "]");
    }

    private record Mount(String pathSpec, HttpServlet servlet) {
    }
}
