package org.jsio.example;

import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;

/** Runs the example chat on embedded Jetty 12: {@code JettyMain [port]} (default 8080), on 127.0.0.1. */
public final class JettyMain {
    private JettyMain() {
    }

    /** Starts the server and blocks until it is stopped (Ctrl-C or SIGTERM). */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        RunningChat chat = start("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(chat::close, "shutdown"));
        System.out.println("chat running at " + chat.baseUrl() + "/");
        chat.join();
    }

    /** Starts the chat on {@code host:port} (port 0 picks a free one) and returns once it listens. */
    public static RunningChat start(String host, int port) throws Exception {
        SocketIoServer sio = ChatApplication.create();

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        JakartaWebSocketServletContainerInitializer.configure(context, null);
        ServletHolder socketIo = new ServletHolder(new SocketIoServlet(sio));
        socketIo.setAsyncSupported(true);
        context.addServlet(socketIo, "/socket.io/*");
        context.addServlet(new ServletHolder(new HealthServlet()), "/api/health");
        context.addServlet(new ServletHolder(new StaticResourceServlet()), "/");
        server.setHandler(context);

        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            sio.close();
            throw e;
        }
        String baseUrl = RunningChat.baseUrl(host, connector.getLocalPort());
        AtomicBoolean closed = new AtomicBoolean();
        return new RunningChat() {
            @Override
            public String baseUrl() {
                return baseUrl;
            }

            @Override
            public void join() throws InterruptedException {
                server.join();
            }

            @Override
            public void close() {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                try {
                    server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException("Jetty did not stop cleanly", e);
                } finally {
                    sio.close();
                }
            }
        };
    }
}
