package org.jsio.example;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Runs the example chat WAR (module {@code example-webapp}, registered by its {@code web.xml}) on
 * embedded Jetty 12: {@code JettyMain [port [war]]}, on 127.0.0.1 (default port 8080, default WAR
 * {@link RunningChat#defaultWar()}).
 */
public final class JettyMain {
    private JettyMain() {
    }

    /** Starts the server and blocks until it is stopped (Ctrl-C or SIGTERM). */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Path war = args.length > 1 ? Path.of(args[1]) : RunningChat.defaultWar();
        RunningChat chat = start(war, "127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(chat::close, "shutdown"));
        System.out.println("chat running at " + chat.baseUrl() + "/");
        chat.join();
    }

    /** Starts the default WAR on {@code host:port} (port 0 picks a free one); see {@link #start(Path, String, int)}. */
    public static RunningChat start(String host, int port) throws Exception {
        return start(RunningChat.defaultWar(), host, port);
    }

    /**
     * Deploys {@code war} at the root context and returns once Jetty listens on {@code host:port}
     * (port 0 picks a free one). The web application's {@code web.xml} builds and closes the chat
     * server; Jakarta WebSocket support comes from the container, as in a stand-alone Jetty.
     */
    public static RunningChat start(Path war, String host, int port) throws Exception {
        if (!Files.exists(war)) {
            throw new IllegalArgumentException("no WAR at " + war.toAbsolutePath()
                    + ": build it with mvn -pl example-webapp -am package");
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setWar(war.toAbsolutePath().toString());
        webapp.setThrowUnavailableOnStartupException(true);
        // what the ee10-annotations and ee10-websocket-jakarta modules of a stand-alone Jetty turn on:
        // ServletContainerInitializers, and Jakarta WebSocket
        webapp.addConfiguration(new AnnotationConfiguration(), new JakartaWebSocketConfiguration());
        server.setHandler(webapp);

        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            server.destroy();
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
                    server.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException("Jetty did not stop cleanly", e);
                } finally {
                    server.destroy();
                }
            }
        };
    }
}
