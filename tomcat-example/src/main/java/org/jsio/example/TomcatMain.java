package org.jsio.example;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;

/** Runs the example chat on embedded Tomcat: {@code TomcatMain [port]} (default 8080), on 127.0.0.1. */
public final class TomcatMain {
    private TomcatMain() {
    }

    /** Starts the server and blocks until it is stopped (Ctrl-C or SIGTERM). */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        SocketIoServer sio = ChatApplication.create();

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat-example").toString());
        Connector connector = new Connector();
        connector.setProperty("address", "127.0.0.1");
        connector.setPort(port);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer(new WsSci(), null);
        Wrapper socketIo = Tomcat.addServlet(context, "socketio", new SocketIoServlet(sio));
        socketIo.setAsyncSupported(true);
        socketIo.addMapping("/socket.io/*");
        Tomcat.addServlet(context, "health", new HealthServlet()).addMapping("/api/health");
        Tomcat.addServlet(context, "static", new StaticResourceServlet()).addMapping("/");

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (Exception e) {
                e.printStackTrace();
            }
            sio.close();
        }, "shutdown"));
        tomcat.start();
        System.out.println("chat running at http://127.0.0.1:" + connector.getLocalPort() + "/");
        tomcat.getServer().await();
    }
}
