package org.jsio.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;

/**
 * A benchmarked server in an embedded Jetty 12 or Tomcat on {@code 127.0.0.1}: either our
 * Socket.IO server at {@code /socket.io/} with the handlers every benchmarked server has, or the
 * raw WebSocket ceiling ({@link RawServer}) at {@code /raw/}.
 *
 * <p>The Socket.IO handlers, in the default namespace, with pingInterval 25 s and pingTimeout 20 s:
 * {@code echo} acknowledges with its own arguments; {@code bcast} emits {@code bcast} with its first
 * argument to every client; {@code stats} acknowledges with what the server has seen
 * ({@code {echo, bcast, connections}}, for tests).
 *
 * <p>From the command line: {@code BenchServer jetty|tomcat|raw-jetty|raw-tomcat PORT}; prints
 * {@code listening on http://127.0.0.1:PORT} once it accepts connections and stops on SIGTERM.
 */
public final class BenchServer implements AutoCloseable {
    private final EmbeddedContainer container;
    private final SocketIoServer socketIo;
    private final AtomicLong echoes = new AtomicLong();
    private final AtomicLong broadcasts = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    private BenchServer(EmbeddedContainer container, SocketIoServer socketIo) {
        this.container = container;
        this.socketIo = socketIo;
    }

    /**
     * Starts a server of {@code kind} ({@code jetty}, {@code tomcat}, {@code raw-jetty} or
     * {@code raw-tomcat}) on {@code 127.0.0.1:port} (0 picks a free port).
     */
    public static BenchServer start(String kind, int port) throws Exception {
        boolean raw = kind.startsWith("raw-");
        EmbeddedContainer container = EmbeddedContainer.create(raw ? kind.substring(4) : kind);
        SocketIoServer sio = raw ? null : SocketIoServer.builder()
                .pingInterval(Duration.ofSeconds(25))
                .pingTimeout(Duration.ofSeconds(20))
                .corsAllowedOrigins("*")
                .build();
        BenchServer server = new BenchServer(container, sio);
        try {
            if (raw) {
                container.mount("/raw/*", new RawServer());
            } else {
                server.addHandlers();
                container.mount("/socket.io/*", new SocketIoServlet(sio));
            }
            container.start("127.0.0.1", port);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void addHandlers() {
        socketIo.onConnect((socket, auth) -> connections.incrementAndGet());
        socketIo.on("echo", (socket, args) -> {
            echoes.incrementAndGet();
            return Ack.of(args);
        });
        socketIo.on("bcast", (socket, args) -> {
            broadcasts.incrementAndGet();
            socketIo.emit("bcast", args.length > 0 ? args[0] : null);
            return null;
        });
        socketIo.on("stats", (socket, args) ->
                Map.of("echo", echoes.get(), "bcast", broadcasts.get(), "connections", connections.get()));
    }

    /** The port it listens on. */
    public int port() {
        return container.port();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return container.baseUrl();
    }

    /** {@code echo} events handled so far (Socket.IO servers only). */
    public long echoes() {
        return echoes.get();
    }

    /** {@code bcast} events handled so far (Socket.IO servers only). */
    public long broadcasts() {
        return broadcasts.get();
    }

    /** Clients connected to the default namespace so far (Socket.IO servers only). */
    public int connections() {
        return (int) connections.get();
    }

    /** Closes the Socket.IO server (if any), then the container. */
    @Override
    public void close() {
        try {
            if (socketIo != null) {
                socketIo.close();
            }
        } finally {
            container.close();
        }
    }

    /** {@code BenchServer jetty|tomcat|raw-jetty|raw-tomcat PORT}: runs until SIGTERM or Ctrl-C. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].matches("(raw-)?(jetty|tomcat)") || !args[1].matches("\\d{1,5}")
                || Integer.parseInt(args[1]) > 65535) {
            usage(System.err);
            System.exit(2);
            return;
        }
        BenchServer server;
        try {
            server = start(args[0], Integer.parseInt(args[1]));
        } catch (Exception e) {
            System.err.println("bench server: could not start " + args[0] + " on port " + args[1] + ": " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "bench-server-shutdown"));
        System.out.println("listening on " + server.baseUrl());
        System.out.flush();
        stopped.await();
    }

    private static void usage(PrintStream out) {
        out.println("usage: BenchServer jetty|tomcat|raw-jetty|raw-tomcat PORT");
        out.println("  jetty|tomcat: Socket.IO at /socket.io/ with the echo, bcast and stats handlers");
        out.println("  raw-jetty|raw-tomcat: a plain WebSocket echo/broadcast endpoint at /raw/");
        out.println("  on http://127.0.0.1:PORT (0 = any free port) until SIGTERM or Ctrl-C");
    }
}
