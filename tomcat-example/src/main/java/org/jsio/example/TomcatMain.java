package org.jsio.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
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
        RunningChat chat = start("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(chat::close, "shutdown"));
        System.out.println("chat running at " + chat.baseUrl() + "/");
        chat.join();
    }

    /**
     * Starts the chat on {@code host:port} (port 0 picks a free one) and returns once it listens.
     * Tomcat's base directory is a temporary folder, deleted when the chat is closed.
     */
    public static RunningChat start(String host, int port) throws Exception {
        SocketIoServer sio = ChatApplication.create();
        Path baseDir = Files.createTempDirectory("tomcat-example");

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setProperty("address", host);
        connector.setPort(port);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer(new WsSci(), null);
        Wrapper socketIo = Tomcat.addServlet(context, "socketio", new SocketIoServlet(sio));
        socketIo.setAsyncSupported(true);
        socketIo.addMapping("/socket.io/*");
        Tomcat.addServlet(context, "health", new HealthServlet()).addMapping("/api/health");
        Tomcat.addServlet(context, "static", new StaticResourceServlet()).addMapping("/");

        AtomicBoolean closed = new AtomicBoolean();
        RunningChat chat = new RunningChat() {
            @Override
            public String baseUrl() {
                return RunningChat.baseUrl(host, connector.getLocalPort());
            }

            @Override
            public void join() {
                tomcat.getServer().await();
            }

            @Override
            public void close() {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                try {
                    tomcat.stop();
                    tomcat.destroy();
                } catch (LifecycleException e) {
                    throw new IllegalStateException("Tomcat did not stop cleanly", e);
                } finally {
                    sio.close();
                    deleteTree(baseDir);
                }
            }
        };
        try {
            tomcat.start();
            if (connector.getLocalPort() <= 0) {
                throw new IOException("Tomcat could not listen on " + host + ":" + port);
            }
        } catch (Exception e) {
            chat.close();
            throw e;
        }
        return chat;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
