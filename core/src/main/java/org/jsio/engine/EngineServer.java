package org.jsio.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.jsio.engine.EngineOptions.Transport;
import org.jsio.engine.spi.HttpExchange;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.engine.spi.WebSocketListener;
import org.jsio.internal.OwnedThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Engine.IO v4 server: sessions, HTTP long-polling, WebSocket, heartbeats and the upgrade
 * between them. It knows nothing about Socket.IO and nothing about servlets: a container adapter
 * feeds it {@link HttpExchange}s, and it reports sessions and messages to an
 * {@link EngineHandler}.
 *
 * <p>Used on its own it is a raw Engine.IO server:
 * <pre>{@code
 * EngineServer echo = new EngineServer(EngineOptions.defaults(), new EngineHandler() {
 *     public void onMessage(EngineSocket s, String text) { s.send(text); }
 *     public void onBinary(EngineSocket s, byte[] data) { s.send(data); }
 * });
 * }</pre>
 */
public final class EngineServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger SCHEDULER_IDS = new AtomicInteger();

    /** The reference server's error responses (status, code and message). */
    enum Error {
        UNKNOWN_TRANSPORT(400, 0, "Transport unknown"),
        UNKNOWN_SID(400, 1, "Session ID unknown"),
        BAD_HANDSHAKE_METHOD(400, 2, "Bad handshake method"),
        BAD_REQUEST(400, 3, "Bad request"),
        FORBIDDEN(403, 4, "Forbidden"),
        UNSUPPORTED_PROTOCOL_VERSION(400, 5, "Unsupported protocol version");

        final int status;
        final byte[] body;

        Error(int status, int code, String message) {
            this.status = status;
            this.body = ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private final EngineOptions options;
    private final EngineHandler handler;
    private final ScheduledExecutorService scheduler;
    /** Numbers this server's threads. */
    private final int serverNumber = SCHEDULER_IDS.incrementAndGet();
    private final OwnedThreads schedulerThread = new OwnedThreads("engineio-scheduler-" + serverNumber + "-");
    /**
     * Writes of {@link FanOut}s: one thread per core at most, started when needed and ended when
     * idle. Never runs application code. Its queue holds at most one task per session, since a
     * session waits in one fan-out at a time.
     */
    private final ThreadPoolExecutor fanOutWriters;
    private final OwnedThreads fanOutThreads = new OwnedThreads("engineio-writer-" + serverNumber + "-");
    private final Map<String, EngineSocket> sessions = new ConcurrentHashMap<>();
    /** Tasks of WebSocket adapters ({@link WebSocketAcceptor#schedule}) until they run or are cancelled. */
    private final Set<ConnectionTask> connectionTasks = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** Whether the heartbeat sweep is scheduled (it runs while there are sessions). */
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** How often the heartbeat sweep looks at every session. */
    private final long sweepNanos;
    /** How soon a poll made during an upgrade is released (the reference server checks every 100 ms). */
    volatile long upgradeNoopDelayMillis = 100;

    /** Creates a server with its own scheduler thread for heartbeats and timeouts. */
    public EngineServer(EngineOptions options, EngineHandler handler) {
        this.options = Objects.requireNonNull(options, "options");
        this.handler = Objects.requireNonNull(handler, "handler");
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, schedulerThread);
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = s;
        this.sweepNanos = sweepPeriod(options).toNanos();
        int cores = Runtime.getRuntime().availableProcessors();
        this.fanOutWriters = new ThreadPoolExecutor(cores, cores, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                fanOutThreads);
        fanOutWriters.allowCoreThreadTimeOut(true);
    }

    /** Where the writes of a {@link FanOut} to this server's sessions run. */
    Executor fanOutWriters() {
        return fanOutWriters;
    }

    /**
     * The heartbeat sweep's period: a tenth of the shorter of pingInterval and pingTimeout, between
     * 5 ms and 1 s. A ping goes out at most that late, which the client's own deadline
     * (pingInterval + pingTimeout) absorbs; an overdue pong is noticed at most that late (and at
     * once by a request of that session, which checks the clock itself).
     */
    static Duration sweepPeriod(EngineOptions options) {
        long shorter = Math.min(options.pingInterval().toNanos(), options.pingTimeout().toNanos());
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.SECONDS.toNanos(1), shorter / 10));
        return Duration.ofNanos(period);
    }

    /** A session's heartbeat started: make sure the sweep runs. */
    void heartbeatStarted() {
        if (sweeping.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }

    private void scheduleSweep() {
        try {
            scheduler.schedule(this::sweep, sweepNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            sweeping.set(false); // closed
        }
    }

    /**
     * One pass of the heartbeat over every session: a single timer for all of them instead of
     * one per session, so that idle clients cost no timer objects and a pong no re-scheduling.
     * It stops when no session is left, and starts again with the next one.
     */
    private void sweep() {
        long now = System.nanoTime();
        for (EngineSocket socket : sessions.values()) {
            try {
                socket.heartbeat(now);
            } catch (RuntimeException | java.lang.Error e) {
                // An Error too: thrown out of this task, it would end every session's heartbeat
                // for good, and polls held by any of them would never be answered.
                LOG.error("session {}: heartbeat failed", socket.id(), e);
            }
        }
        if (sessions.isEmpty()) {
            sweeping.set(false);
            // a session that arrived meanwhile may have found the sweep still running
            if (sessions.isEmpty() || !sweeping.compareAndSet(false, true)) {
                return;
            }
        }
        scheduleSweep();
    }

    /** The settings this server was built with. */
    public EngineOptions options() {
        return options;
    }

    /** The scheduler that drives heartbeats and timeouts; usable for other short timed tasks. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    EngineHandler handler() {
        return handler;
    }

    /**
     * WebSocket connections still being closed by their adapter: a close frame not yet written,
     * or written and not yet answered (counted by the adapter's pending timers; none once the
     * clients are gone and their close handshakes have ended).
     */
    public int closingConnections() {
        return connectionTasks.size();
    }

    /** The number of open sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Timers waiting on the {@link #scheduler()}: the heartbeat sweep (one for all sessions, while
     * there are any), upgrade, close and connect timeouts, acknowledgement timeouts and whatever
     * else was scheduled there (cancelled timers are removed at once). With no client left it is
     * back to what the application scheduled itself; for tests and metrics.
     */
    public int scheduledTasks() {
        return ((ScheduledThreadPoolExecutor) scheduler).getQueue().size();
    }

    /** The open session with this id, or {@code null}. */
    public EngineSocket session(String sid) {
        return sessions.get(sid);
    }

    /** All open sessions (a live view). */
    public Collection<EngineSocket> sessions() {
        return java.util.Collections.unmodifiableCollection(sessions.values());
    }

    void remove(EngineSocket socket) {
        sessions.remove(socket.id(), socket);
    }

    /**
     * Closes every session (reason "server shutting down") and stops the scheduler. The server
     * refuses new sessions afterwards.
     */
    @Override
    public void close() {
        closed = true;
        for (EngineSocket s : sessions.values()) {
            s.terminate(DisconnectReason.SERVER_SHUTDOWN);
        }
        sessions.clear();
        scheduler.shutdownNow();
        schedulerThread.shutdownAndJoin(scheduler, 5, TimeUnit.SECONDS);
        fanOutThreads.shutdownAndJoin(fanOutWriters, 5, TimeUnit.SECONDS);
        // what adapters scheduled to end connections (a close handshake still open) ends now
        for (ConnectionTask task : List.copyOf(connectionTasks)) {
            task.run(); // a FutureTask: a failure stays in it
        }
    }

    /**
     * {@link WebSocketAcceptor#schedule}: {@code task} on the scheduler, remembered until it runs or
     * is cancelled, so that {@link #close()} can run it if the scheduler never will.
     */
    private Future<?> scheduleConnectionTask(Runnable task, long delayMillis) {
        ConnectionTask t = new ConnectionTask(task);
        connectionTasks.add(t);
        try {
            t.scheduled = scheduler().schedule(t, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            connectionTasks.remove(t);
            throw e;
        }
        return t;
    }

    /**
     * A task of {@link #scheduleConnectionTask}: runs at most once (on the scheduler or at close),
     * and leaves {@link #connectionTasks} when it runs or is cancelled.
     */
    private final class ConnectionTask extends FutureTask<Void> {
        volatile Future<?> scheduled;

        ConnectionTask(Runnable task) {
            super(task, null);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            Future<?> s = scheduled;
            if (s != null) {
                s.cancel(false); // out of the scheduler's queue now, not at its time
            }
            return super.cancel(mayInterruptIfRunning);
        }

        @Override
        protected void done() {
            connectionTasks.remove(this);
        }
    }

    /**
     * Handles one request to the Engine.IO path: a handshake, a poll, a POST of packets, or a
     * WebSocket upgrade. Never blocks for long: a poll with nothing to send is suspended.
     */
    public void handleRequest(HttpExchange exchange) {
        try {
            dispatch(exchange);
        } catch (RuntimeException e) {
            LOG.error("engine request {} {} failed", exchange.method(), exchange.requestUri(), e);
            exchange.respond(500, Map.of(), new byte[0]);
        }
    }

    private void dispatch(HttpExchange exchange) {
        String method = exchange.method();
        String origin = exchange.header("origin");
        if (origin != null && !originAllowed(origin, exchange)) {
            LOG.info("refused request from origin {}", sanitize(origin));
            respondError(exchange, Map.of(), Error.BAD_REQUEST);
            return;
        }
        Map<String, String> headers = corsHeaders(origin);
        if ("OPTIONS".equals(method)) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            if (!h.isEmpty()) {
                h.put("Access-Control-Allow-Methods", "OPTIONS, GET, POST");
                String requested = exchange.header("access-control-request-headers");
                if (requested != null) {
                    h.put("Access-Control-Allow-Headers", requested);
                }
                h.put("Access-Control-Max-Age", "86400");
            }
            exchange.respond(204, h, new byte[0]);
            return;
        }
        Transport transport = Transport.fromWireName(exchange.queryParameter("transport"));
        if (transport == null || !options.transports().contains(transport)) {
            respondError(exchange, headers, Error.UNKNOWN_TRANSPORT);
            return;
        }
        String sid = exchange.queryParameter("sid");
        if (sid == null) {
            handshake(exchange, headers, method, transport);
            return;
        }
        EngineSocket socket = sessions.get(sid);
        if (socket == null || socket.checkExpired()) {
            respondError(exchange, headers, Error.UNKNOWN_SID);
            return;
        }
        if (transport == Transport.WEBSOCKET) {
            if (!exchange.isWebSocketUpgrade() || !"GET".equals(method)) {
                respondError(exchange, headers, Error.BAD_REQUEST);
                return;
            }
            upgrade(exchange, headers, socket::attachProbe);
            return;
        }
        if (socket.transport() != Transport.POLLING) {
            respondError(exchange, headers, Error.BAD_REQUEST);
            return;
        }
        if ("GET".equals(method)) {
            socket.handleGet(exchange, headers);
        } else if ("POST".equals(method)) {
            socket.handlePost(exchange, headers);
        } else {
            exchange.respond(500, headers, new byte[0]);
        }
    }

    private void handshake(HttpExchange exchange, Map<String, String> headers, String method, Transport transport) {
        if (!"GET".equals(method)) {
            respondError(exchange, headers, Error.BAD_HANDSHAKE_METHOD);
            return;
        }
        if (!"4".equals(exchange.queryParameter("EIO"))) {
            respondError(exchange, headers, Error.UNSUPPORTED_PROTOCOL_VERSION);
            return;
        }
        if (closed) {
            respondError(exchange, headers, Error.BAD_REQUEST);
            return;
        }
        Handshake handshake = Handshake.of(exchange);
        if (transport == Transport.WEBSOCKET) {
            if (!exchange.isWebSocketUpgrade()) {
                respondError(exchange, headers, Error.BAD_REQUEST);
                return;
            }
            upgrade(exchange, headers, connection -> {
                EngineSocket socket = newSession(handshake, Transport.WEBSOCKET);
                WebSocketListener listener = socket.attachInitial(connection, openPacket(socket, false));
                open(socket);
                return listener;
            });
            return;
        }
        EngineSocket socket = newSession(handshake, Transport.POLLING);
        Map<String, String> h = new LinkedHashMap<>(headers);
        EngineOptions.Cookie cookie = options.cookie();
        if (cookie != null) {
            h.put("Set-Cookie", cookie.headerValue(socket.id()));
        }
        // The session is ready (handler told, heartbeat started) before the client can know its
        // sid: its first POST may reach another container thread the moment the open packet is out.
        open(socket);
        respondPayload(exchange, h, PacketCodec.encodePayload(List.of(openPacket(socket, exchange.canUpgrade()))), true);
    }

    private void open(EngineSocket socket) {
        socket.start();
        try {
            handler.onOpen(socket);
        } catch (RuntimeException e) {
            LOG.error("session {}: open handler failed", socket.id(), e);
            socket.terminate(DisconnectReason.SERVER_DISCONNECT);
        }
    }

    private EngineSocket newSession(Handshake handshake, Transport transport) {
        while (true) {
            EngineSocket socket = new EngineSocket(this, generateId(), handshake, transport);
            if (sessions.putIfAbsent(socket.id(), socket) == null) {
                return socket;
            }
        }
    }

    /**
     * The open packet; {@code offerUpgrade}: over long-polling, where the exchange can take a
     * WebSocket upgrade.
     */
    private Packet openPacket(EngineSocket socket, boolean offerUpgrade) {
        boolean upgrades = offerUpgrade && options.allowUpgrades() && options.transports().contains(Transport.WEBSOCKET);
        String json = "{\"sid\":\"" + socket.id() + "\",\"upgrades\":" + (upgrades ? "[\"websocket\"]" : "[]")
                + ",\"pingInterval\":" + options.pingInterval().toMillis()
                + ",\"pingTimeout\":" + options.pingTimeout().toMillis()
                + ",\"maxPayload\":" + options.maxHttpBufferSize() + "}";
        return Packet.of(Packet.Type.OPEN, json);
    }

    /** A fresh random id: 120 bits from {@link SecureRandom}, base64url without padding. */
    public static String generateId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private interface Opener {
        WebSocketListener open(WebSocketConnection connection);
    }

    private void upgrade(HttpExchange exchange, Map<String, String> headers, Opener opener) {
        int max = options.maxHttpBufferSize();
        long idle = 2 * (options.pingInterval().toMillis() + options.pingTimeout().toMillis());
        try {
            exchange.upgrade(new WebSocketAcceptor() {
                @Override
                public int maxMessageSize() {
                    return max;
                }

                @Override
                public long idleTimeoutMillis() {
                    return idle;
                }

                @Override
                public Future<?> schedule(Runnable task, long delayMillis) {
                    return scheduleConnectionTask(task, delayMillis);
                }

                @Override
                public WebSocketListener open(WebSocketConnection connection) {
                    return opener.open(connection);
                }
            });
        } catch (IOException e) {
            LOG.debug("WebSocket upgrade failed: {}", e.toString());
            respondError(exchange, headers, Error.BAD_REQUEST);
        }
    }

    /**
     * Answers a polling request with a payload: 200, text, not cacheable, and compressed when
     * {@link EngineOptions#httpCompression()} applies.
     */
    void respondPayload(HttpExchange exchange, Map<String, String> headers, byte[] payload, boolean compressible) {
        String encoding = compressible && options.httpCompression() && payload.length >= options.compressionThreshold()
                ? contentEncoding(exchange.header("accept-encoding")) : null;
        if (encoding == null) {
            exchange.respond(200, withCors(headers, PAYLOAD_HEADERS, PAYLOAD_HEADERS_ANY_ORIGIN), payload);
            return;
        }
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.putAll(PAYLOAD_HEADERS);
        h.put("Content-Encoding", encoding);
        h.merge("Vary", "Accept-Encoding", (a, b) -> a + ", " + b);
        exchange.respond(200, h, compress(payload, encoding));
    }

    /**
     * {@code cors} (from {@link #corsHeaders}) with {@code fixed} added; the usual cases (no CORS
     * header, or any origin allowed) answer with constants given for them, built once.
     */
    static Map<String, String> withCors(Map<String, String> cors, Map<String, String> fixed,
            Map<String, String> fixedAnyOrigin) {
        if (cors.isEmpty()) {
            return fixed;
        }
        if (cors == ANY_ORIGIN) {
            return fixedAnyOrigin;
        }
        Map<String, String> h = new LinkedHashMap<>(cors);
        h.putAll(fixed);
        return h;
    }

    /**
     * The encoding to answer with for this {@code Accept-Encoding}: {@code gzip} or
     * {@code deflate}, whichever has the higher quality ({@code gzip} on a tie; {@code *} stands
     * for both), or {@code null} for none.
     */
    static String contentEncoding(String acceptEncoding) {
        if (acceptEncoding == null) {
            return null;
        }
        double gzip = -1;
        double deflate = -1;
        double any = -1;
        for (String item : acceptEncoding.split(",")) {
            String[] parts = item.split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                    try {
                        q = Double.parseDouble(p.substring(2).trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = Math.max(gzip, q);
            } else if (coding.equals("deflate")) {
                deflate = Math.max(deflate, q);
            } else if (coding.equals("*")) {
                any = Math.max(any, q);
            }
        }
        gzip = gzip < 0 ? any : gzip;
        deflate = deflate < 0 ? any : deflate;
        if (gzip <= 0 && deflate <= 0) {
            return null;
        }
        return gzip >= deflate ? "gzip" : "deflate";
    }

    /** {@code data} gzip-compressed, or zlib-compressed for {@code deflate} (RFC 9110 8.4.1.2). */
    private static byte[] compress(byte[] data, String encoding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 3));
        try (OutputStream z = "gzip".equals(encoding) ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
            z.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not throw
        }
        return out.toByteArray();
    }

    void respondError(HttpExchange exchange, Map<String, String> headers, Error error) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", "application/json");
        exchange.respond(error.status, h, error.body);
    }

    // ---------------------------------------------------------------- CORS

    /** The CORS header of an answer to a request without {@code Origin} when any origin is allowed. */
    static final Map<String, String> ANY_ORIGIN = Map.of("Access-Control-Allow-Origin", "*");
    /** The headers of an uncompressed payload answer. */
    private static final Map<String, String> PAYLOAD_HEADERS = Map.of(
            "Content-Type", "text/plain; charset=UTF-8", "Cache-Control", "no-store");
    private static final Map<String, String> PAYLOAD_HEADERS_ANY_ORIGIN = Map.of(
            "Content-Type", "text/plain; charset=UTF-8", "Cache-Control", "no-store",
            "Access-Control-Allow-Origin", "*");

    private boolean originAllowed(String origin, HttpExchange exchange) {
        List<String> allowed = options.corsAllowedOrigins();
        if (allowed == null) {
            return sameOrigin(origin, exchange);
        }
        if (allowed.isEmpty() || allowed.contains("*")) {
            return true;
        }
        return allowed.contains(origin) || sameOrigin(origin, exchange);
    }

    /**
     * Whether {@code origin} is the server's own: the scheme and {@code Host} of the request, or,
     * as python-engineio, those named by {@code X-Forwarded-Proto} / {@code X-Forwarded-Host}
     * (first values) when a reverse proxy set them.
     */
    private static boolean sameOrigin(String origin, HttpExchange exchange) {
        String host = exchange.header("host");
        if (host != null && sameOrigin(origin, exchange.scheme(), host)) {
            return true;
        }
        String forwardedProto = exchange.header("x-forwarded-proto");
        String forwardedHost = exchange.header("x-forwarded-host");
        if (forwardedProto == null && forwardedHost == null) {
            return false;
        }
        String scheme = forwardedProto == null ? exchange.scheme() : forwardedProto.split(",")[0].trim();
        String h = forwardedHost == null ? host : forwardedHost.split(",")[0].trim();
        return h != null && sameOrigin(origin, scheme, h);
    }

    private static boolean sameOrigin(String origin, String requestScheme, String host) {
        try {
            URI o = new URI(origin);
            String scheme = o.getScheme() == null ? "" : o.getScheme().toLowerCase(Locale.ROOT);
            boolean tls = "https".equalsIgnoreCase(requestScheme);
            if (!scheme.equals(tls ? "https" : "http") && !scheme.equals(tls ? "wss" : "ws")) {
                return false;
            }
            String authority = o.getRawAuthority();
            return authority != null && stripDefaultPort(authority, scheme)
                    .equalsIgnoreCase(stripDefaultPort(host, scheme));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static String stripDefaultPort(String authority, String scheme) {
        boolean tls = scheme.equals("https") || scheme.equals("wss");
        String port = tls ? ":443" : ":80";
        return authority.endsWith(port) ? authority.substring(0, authority.length() - port.length()) : authority;
    }

    /**
     * The CORS headers for a response to a request with this {@code Origin} (null when it has
     * none), already allowed; none when CORS handling is off.
     */
    private Map<String, String> corsHeaders(String origin) {
        List<String> allowed = options.corsAllowedOrigins();
        if (allowed != null && allowed.isEmpty()) {
            return Map.of();
        }
        if (origin != null) {
            return options.corsCredentials()
                    ? Map.of("Access-Control-Allow-Origin", origin, "Vary", "Origin",
                            "Access-Control-Allow-Credentials", "true")
                    : Map.of("Access-Control-Allow-Origin", origin, "Vary", "Origin");
        }
        return allowed != null && allowed.contains("*") ? ANY_ORIGIN : Map.of();
    }

    /** Makes client-supplied text safe for one log line: bounded, line breaks escaped. */
    public static String sanitize(String s) {
        String t = s.length() > 300 ? s.substring(0, 300) + "..." : s;
        return t.replace("\r", "\\r").replace("\n", "\\n");
    }
}
