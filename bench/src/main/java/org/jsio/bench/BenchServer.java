package org.jsio.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.jsio.manager.Manager;
import org.jsio.manager.PubSubManager;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.EmbeddedJetty;
import org.jsio.testing.Foreground;

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
 * <p>On Tomcat the connector's {@code maxConnections} is raised from its default of 8,192 to
 * {@link #TOMCAT_MAX_CONNECTIONS}, as a deployment expecting that many clients must do.
 *
 * <p>From the command line: {@code BenchServer jetty|tomcat|raw-jetty|raw-tomcat PORT}; prints
 * {@code listening on http://127.0.0.1:PORT} once it accepts connections and stops on SIGTERM.
 * The Socket.IO servers join the cluster named by the environment variable
 * {@code SOCKETIO_REDIS_URL} when it is set ({@link Manager#fromEnvironment()}).
 */
public final class BenchServer implements AutoCloseable {
    /** The Tomcat connector's {@code maxConnections} here (Tomcat's default is 8,192). */
    public static final int TOMCAT_MAX_CONNECTIONS = 65_536;

    private final EmbeddedContainer container;
    private final SocketIoServer socketIo;
    private final RawServer raw;
    private final AtomicLong echoes = new AtomicLong();
    private final AtomicLong broadcasts = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    private BenchServer(EmbeddedContainer container, SocketIoServer socketIo, RawServer raw) {
        this.container = container;
        this.socketIo = socketIo;
        this.raw = raw;
    }

    /**
     * Starts a server of {@code kind} ({@code jetty}, {@code tomcat}, {@code raw-jetty} or
     * {@code raw-tomcat}) on {@code 127.0.0.1:port} (0 picks a free port), with the in-memory manager.
     */
    public static BenchServer start(String kind, int port) throws Exception {
        return start(kind, port, new Manager());
    }

    /**
     * Starts a server of {@code kind} on {@code 127.0.0.1:port} whose Socket.IO server uses
     * {@code manager} (a {@code RedisManager} joins a cluster); the raw servers close it unused.
     */
    public static BenchServer start(String kind, int port, Manager manager) throws Exception {
        boolean raw = kind.startsWith("raw-");
        EmbeddedContainer container = EmbeddedContainer.create(raw ? kind.substring(4) : kind);
        if (raw && container instanceof EmbeddedJetty jetty) {
            jetty.jakartaWebSocket(true); // the raw endpoint is a Jakarta one
        }
        SocketIoServer sio = raw ? null : SocketIoServer.builder()
                .pingInterval(Duration.ofSeconds(25))
                .pingTimeout(Duration.ofSeconds(20))
                .corsAllowedOrigins("*")
                .clientManager(manager)
                .build();
        if (raw) {
            manager.close();
        }
        BenchServer server = new BenchServer(container, sio, raw ? new RawServer() : null);
        try {
            if (raw) {
                container.mount("/raw/*", server.raw);
            } else {
                server.addHandlers();
                container.mount("/socket.io/*", new SocketIoServlet(sio));
            }
            container.start("127.0.0.1", port);
            if ("tomcat".equals(container.kind())) {
                raiseTomcatMaxConnections(container.port());
            }
            if (!raw && manager instanceof PubSubManager cluster) {
                awaitSubscribed(cluster);
            }
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Sets the Tomcat connector's {@code maxConnections} through its management bean (the
     * {@code maxConnections} attribute of a {@code server.xml} {@code <Connector>}, which the
     * embedded container does not expose), effective at once.
     */
    private static void raiseTomcatMaxConnections(int port) throws JMException {
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        ObjectName handler = tomcatProtocolHandler(beans, port);
        beans.setAttribute(handler, new Attribute("maxConnections", TOMCAT_MAX_CONNECTIONS));
        Object now = beans.getAttribute(handler, "maxConnections");
        if (!Integer.valueOf(TOMCAT_MAX_CONNECTIONS).equals(now)) {
            throw new IllegalStateException("Tomcat's maxConnections stayed " + now);
        }
    }

    /** Tomcat's connector's {@code maxConnections}, read back from its management bean (for tests). */
    static int tomcatMaxConnections(int port) throws JMException {
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        return (Integer) beans.getAttribute(tomcatProtocolHandler(beans, port), "maxConnections");
    }

    /** The bean of the Tomcat protocol handler listening on {@code port} (named {@code port=auto-N} when started on port 0). */
    private static ObjectName tomcatProtocolHandler(MBeanServer beans, int port) throws JMException {
        Set<ObjectName> names = beans.queryNames(new ObjectName("*:type=ProtocolHandler,*"), null);
        for (ObjectName name : names) {
            if (Integer.valueOf(port).equals(beans.getAttribute(name, "localPort"))) {
                return name;
            }
        }
        throw new IllegalStateException("no Tomcat protocol handler bean for port " + port + " among " + names);
    }

    /** Waits (at most 30 s) until the cluster manager listens, so that no broadcast from another node misses it. */
    private static void awaitSubscribed(PubSubManager cluster) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (cluster.subscriptions() < 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster manager did not subscribe within 30 s");
            }
            Thread.sleep(10);
        }
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

    /** Messages the raw endpoint left out for sessions with a full queue (0 for Socket.IO servers). */
    public long rawDropped() {
        return raw == null ? 0 : raw.dropped();
    }

    /** Closes the Socket.IO server (if any), then the container. */
    @Override
    public void close() {
        if (raw != null && raw.dropped() > 0) {
            System.err.println("bench server: the raw endpoint left out " + raw.dropped()
                    + " messages for sessions that had " + RawServer.MAX_QUEUED + " waiting");
        }
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
            server = start(args[0], Integer.parseInt(args[1]),
                    args[0].startsWith("raw-") ? new Manager() : Manager.fromEnvironment());
        } catch (Exception e) {
            System.err.println("bench server: could not start " + args[0] + " on port " + args[1] + ": " + e);
            System.exit(1);
            return;
        }
        Foreground.serveUntilStopped(server, server.baseUrl(), "bench-server");
    }

    private static void usage(PrintStream out) {
        out.println("usage: BenchServer jetty|tomcat|raw-jetty|raw-tomcat PORT");
        out.println("  jetty|tomcat: Socket.IO at /socket.io/ with the echo, bcast and stats handlers");
        out.println("  raw-jetty|raw-tomcat: a plain WebSocket echo/broadcast endpoint at /raw/");
        out.println("  on http://127.0.0.1:PORT (0 = any free port) until SIGTERM or Ctrl-C");
        out.println("  SOCKETIO_REDIS_URL=redis://HOST:PORT joins the Socket.IO server to that Redis cluster");
    }
}
