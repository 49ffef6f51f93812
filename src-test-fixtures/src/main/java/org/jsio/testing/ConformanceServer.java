package org.jsio.testing;

import java.io.PrintStream;
import java.time.Duration;
import org.jsio.engine.EngineHandler;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineServer;
import org.jsio.engine.EngineSocket;
import org.jsio.socketio.SocketIoServer;
import org.jsio.servlet.SocketIoServlet;

/**
 * The server the official Engine.IO v4 and Socket.IO v5 conformance suites run against, in an
 * embedded Jetty or Tomcat: a raw echoing Engine.IO endpoint at {@code /engine.io/} and the
 * Socket.IO endpoint of {@link ConformanceSocketIo} at {@code /socket.io/}, both with
 * {@link #options()}.
 *
 * <p>From the command line: {@code ConformanceServer jetty|tomcat PORT}; it prints
 * {@code listening on http://127.0.0.1:PORT} once it accepts connections and stops on SIGTERM
 * or Ctrl-C. From a test: {@code try (ConformanceServer s = ConformanceServer.start("jetty", 0)) {...}}.
 */
public final class ConformanceServer implements AutoCloseable {
    private final EmbeddedContainer container;
    private final EngineServer engineIo;
    private final SocketIoServer socketIo;

    private ConformanceServer(EmbeddedContainer container, EngineServer engineIo, SocketIoServer socketIo) {
        this.container = container;
        this.engineIo = engineIo;
        this.socketIo = socketIo;
    }

    /**
     * The settings the suites expect: pingInterval 300 ms, pingTimeout 200 ms,
     * maxHttpBufferSize 1,000,000 bytes, any CORS origin.
     */
    public static EngineOptions options() {
        return EngineOptions.builder()
                .pingInterval(Duration.ofMillis(300))
                .pingTimeout(Duration.ofMillis(200))
                .maxHttpBufferSize(1_000_000)
                .corsAllowedOrigins("*")
                .build();
    }

    /**
     * A new raw Engine.IO server with {@link #options()} that sends every message back to its
     * sender unchanged (text as text, binary as binary). The caller closes it.
     */
    public static EngineServer echoEngine() {
        return echoEngine(options());
    }

    /** A new raw Engine.IO echo server (see {@link #echoEngine()}) with other settings. */
    public static EngineServer echoEngine(EngineOptions options) {
        return new EngineServer(options, new EngineHandler() {
            @Override
            public void onMessage(EngineSocket socket, String text) {
                socket.send(text);
            }

            @Override
            public void onBinary(EngineSocket socket, byte[] data) {
                socket.send(data);
            }
        });
    }

    /**
     * Starts the server in a {@code "jetty"} or {@code "tomcat"} container on
     * {@code 127.0.0.1:port} (0 picks a free port).
     */
    public static ConformanceServer start(String containerKind, int port) throws Exception {
        EmbeddedContainer container = EmbeddedContainer.create(containerKind);
        EngineServer engineIo = echoEngine();
        SocketIoServer socketIo = ConformanceSocketIo.create();
        ConformanceServer server = new ConformanceServer(container, engineIo, socketIo);
        try {
            container.mount("/engine.io/*", new SocketIoServlet(engineIo))
                    .mount("/socket.io/*", new SocketIoServlet(socketIo))
                    .start("127.0.0.1", port);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The container serving both endpoints. */
    public EmbeddedContainer container() {
        return container;
    }

    /** The port it listens on. */
    public int port() {
        return container.port();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return container.baseUrl();
    }

    /** The raw Engine.IO echo server at {@code /engine.io/}. */
    public EngineServer engineIo() {
        return engineIo;
    }

    /** The Socket.IO server at {@code /socket.io/}. */
    public SocketIoServer socketIo() {
        return socketIo;
    }

    /** Closes both engines (ending their sessions while the container can still answer), then the container. */
    @Override
    public void close() {
        try {
            engineIo.close();
            socketIo.close();
        } finally {
            container.close();
        }
    }

    /** {@code ConformanceServer jetty|tomcat PORT}: runs until SIGTERM or Ctrl-C. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !isKind(args[0]) || !isPort(args[1])) {
            usage(System.err);
            System.exit(2);
            return;
        }
        ConformanceServer server;
        try {
            server = start(args[0], Integer.parseInt(args[1]));
        } catch (Exception e) {
            System.err.println("conformance server: could not start " + args[0] + " on port " + args[1] + ": " + e);
            System.exit(1);
            return;
        }
        Foreground.serveUntilStopped(server, server.baseUrl(), "conformance-server");
    }

    private static boolean isKind(String s) {
        return "jetty".equals(s) || "tomcat".equals(s);
    }

    private static boolean isPort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p >= 0 && p <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: ConformanceServer jetty|tomcat PORT");
        out.println("  serves a raw Engine.IO echo endpoint at /engine.io/ and Socket.IO at /socket.io/");
        out.println("  on http://127.0.0.1:PORT (0 = any free port) until SIGTERM or Ctrl-C");
    }
}
