package org.jsio.example;

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
        SocketIoServer sio = ChatApplication.create();

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
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

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
            sio.close();
        }, "shutdown"));
        server.start();
        System.out.println("chat running at http://127.0.0.1:" + connector.getLocalPort() + "/");
        server.join();
    }
}
