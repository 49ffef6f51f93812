package org.jsio.socketio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsio.engine.DisconnectReason;
import org.jsio.engine.EngineHandler;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineServer;
import org.jsio.engine.EngineSocket;
import org.jsio.engine.Packet;
import org.jsio.internal.OwnedThreads;
import org.jsio.json.GsonJsonMapper;
import org.jsio.json.JsonMapper;
import org.jsio.manager.Emit;
import org.jsio.manager.ManagedServer;
import org.jsio.manager.Manager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Socket.IO v5 server (python-socketio's {@code socketio.Server}). Register handlers, then hand
 * {@link #engine()} to a container adapter such as {@code SocketIoServlet}.
 *
 * <pre>{@code
 * SocketIoServer sio = SocketIoServer.builder().pingInterval(Duration.ofSeconds(25)).build();
 * sio.onConnect((socket, auth) -> socket.enterRoom("lobby"));
 * sio.on("chat", (socket, args) -> { sio.to("lobby").emit("chat", args[0]); return "delivered"; });
 * }</pre>
 *
 * <p>Handlers run on an executor, one ordered lane per client: events of one client are handled
 * one at a time in the order they were sent; different clients are handled in parallel. No
 * handler ever runs on a container I/O thread.
 */
public final class SocketIoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SocketIoServer.class);
    private static final Logger PACKETS = LoggerFactory.getLogger("org.jsio.socketio.packets");
    private static final AtomicInteger EXECUTOR_IDS = new AtomicInteger();

    private final EngineServer engine;
    private final Duration connectTimeout;
    private final boolean alwaysConnect;
    private final Set<String> acceptedNamespaces;
    private final JsonMapper jsonMapper;
    private final PacketCodec codec;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    /** The owned executor's threads before Java 21 (virtual threads after), joined at close. */
    private OwnedThreads platformThreads;
    private final int laneCapacity;
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final List<ConnectMiddleware> middleware = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile ErrorHandler defaultErrorHandler;
    private final boolean asyncHandlers;
    private final Lane sharedLane;
    /** Bounds the lanes run on containers' executors; null when the application gave an executor. */
    private final Lane.Slots containerSlots;
    /** Set when {@link #close()} starts. */
    private volatile boolean closing;
    private final boolean packetLog;
    private final Set<java.util.concurrent.Future<?>> backgroundTasks = ConcurrentHashMap.newKeySet();
    private final Manager manager;

    private SocketIoServer(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.alwaysConnect = b.alwaysConnect;
        this.acceptedNamespaces = b.namespaces == null ? null : Set.copyOf(b.namespaces);
        this.jsonMapper = b.jsonMapper;
        this.codec = new PacketCodec(jsonMapper, b.maxAttachments);
        this.laneCapacity = b.laneCapacity;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = defaultExecutor();
            this.executor = ownedExecutor;
        }
        this.engine = new EngineServer(b.engine.build(), new Handler());
        this.asyncHandlers = b.asyncHandlers;
        this.sharedLane = b.asyncHandlers ? null : new Lane(executor, 64 * b.laneCapacity, this::isClosing);
        this.containerSlots = b.executor == null && b.asyncHandlers
                ? new Lane.Slots(defaultPoolSize(), Thread.currentThread().getContextClassLoader())
                : null;
        this.packetLog = b.logger;
        namespaces.put("/", new Namespace(this, "/", null));
        this.manager = b.manager != null ? b.manager : new Manager();
        manager.initialize(new LocalServer());
    }

    /** A builder with the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** A server with the default settings. */
    public static SocketIoServer create() {
        return builder().build();
    }

    private ExecutorService defaultExecutor() {
        int id = EXECUTOR_IDS.incrementAndGet();
        try {
            java.lang.reflect.Method m = Executors.class.getMethod("newThreadPerTaskExecutor",
                    java.util.concurrent.ThreadFactory.class);
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class, long.class)
                    .invoke(builder, "socketio-handler-" + id + "-", 0L);
            Object factory = builderType.getMethod("factory").invoke(builder);
            return (ExecutorService) m.invoke(null, factory);
        } catch (ReflectiveOperationException e) {
            // Java 17: platform threads. Lanes bound each client's backlog; handlers that block
            // (call()) hold a thread, so the pool is generous.
            platformThreads = new OwnedThreads("socketio-handler-" + id + "-");
            return Executors.newFixedThreadPool(defaultPoolSize(), platformThreads);
        }
    }

    /**
     * The size of the default pool on Java 17, and how many clients' handlers may run on a
     * container's executor at once.
     */
    private static int defaultPoolSize() {
        return Math.max(16, Runtime.getRuntime().availableProcessors() * 8);
    }

    /** The Engine.IO server to mount in a container (see {@code SocketIoServlet}). */
    public EngineServer engine() {
        return engine;
    }

    /** The executor running handlers; application background work may use it too. */
    public Executor executor() {
        return executor;
    }

    /** The scheduler for timed work (python-socketio's {@code sleep} + background tasks). */
    public ScheduledExecutorService scheduler() {
        return engine.scheduler();
    }

    /**
     * The client manager (python-socketio's {@code client_manager}): in memory by default, or a
     * cluster manager such as {@link org.jsio.manager.RedisManager} given to the builder.
     */
    public Manager manager() {
        return manager;
    }

    /** The JSON mapper converting application types. */
    public JsonMapper jsonMapper() {
        return jsonMapper;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    boolean alwaysConnect() {
        return alwaysConnect;
    }

    PacketCodec codec() {
        return codec;
    }

    String newSocketId() {
        return EngineServer.generateId();
    }

    List<Packet> encode(PacketType type, String namespace, long id, Object data) {
        PacketCodec.Encoded encoded = codec.encode(type, namespace, id, data);
        if (packetLog ? PACKETS.isInfoEnabled() : PACKETS.isDebugEnabled()) {
            String text = "sending " + EngineServer.sanitize(encoded.text())
                    + (encoded.attachments().isEmpty() ? "" : " +" + encoded.attachments().size() + " attachments");
            if (packetLog) {
                PACKETS.info(text);
            } else {
                PACKETS.debug(text);
            }
        }
        if (encoded.attachments().isEmpty()) {
            return List.of(Packet.message(encoded.text()));
        }
        List<Packet> packets = new ArrayList<>(1 + encoded.attachments().size());
        packets.add(Packet.message(encoded.text()));
        for (byte[] a : encoded.attachments()) {
            packets.add(Packet.binary(a));
        }
        return packets;
    }

    // ---------------------------------------------------------------- namespaces

    /**
     * The namespace with this name, created if needed (it then accepts clients). {@code "*"} is
     * the catch-all namespace: with it every namespace is accepted, and its handlers serve the
     * namespaces that have none of their own ({@link Socket#namespace()} tells which one).
     */
    public Namespace of(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.startsWith("/") && !"*".equals(name)) {
            throw new IllegalArgumentException("a namespace starts with '/': " + name);
        }
        return namespaces.computeIfAbsent(name, n -> new Namespace(this, n, null));
    }

    /** The namespace a client may connect to, or {@code null} to refuse it. */
    Namespace namespaceFor(String name) {
        Namespace existing = namespaces.get(name);
        if (existing != null) {
            return existing;
        }
        Namespace any = namespaces.get("*");
        boolean accepted = any != null || (acceptedNamespaces != null
                && (acceptedNamespaces.contains("*") || acceptedNamespaces.contains(name)));
        if (!accepted || "*".equals(name)) {
            return null;
        }
        return namespaces.computeIfAbsent(name, n -> new Namespace(this, n, any));
    }

    /** The namespaces that exist now ({@code "*"} included when registered). */
    public Set<String> namespaces() {
        return Set.copyOf(namespaces.keySet());
    }

    /**
     * Registers a class-based namespace (python-socketio's {@code register_namespace}). Its public
     * methods annotated {@link On @On("event")}, or named {@code onSomeEvent} (event
     * {@code "someEvent"}), handle events; {@code onConnect} and {@code onDisconnect} (or
     * {@code @On("connect")}, {@code @On("disconnect")}) handle connections. A method takes the
     * {@link Socket} first, then either {@code Object...} for all arguments or one parameter per
     * argument (bound with the JSON mapper); its return value is the acknowledgement. A function
     * handler registered with {@code on()} for the same event wins over the method.
     */
    public Namespace registerNamespace(String namespace, Object handlers) {
        Namespace nsp = of(namespace);
        ClassNamespace.register(nsp, handlers, jsonMapper);
        return nsp;
    }

    /** Registers a middleware that every connection, to any namespace, passes first. */
    public SocketIoServer use(ConnectMiddleware check) {
        middleware.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    List<ConnectMiddleware> middleware() {
        return middleware;
    }

    /**
     * Registers the handler of exceptions thrown by event handlers of namespaces that have no
     * {@link Namespace#onError error handler} (Flask-SocketIO's {@code on_error_default}).
     */
    public SocketIoServer onErrorDefault(ErrorHandler handler) {
        this.defaultErrorHandler = handler;
        return this;
    }

    ErrorHandler defaultErrorHandler() {
        return defaultErrorHandler;
    }

    /** The lane a new connection's handlers run on: its own, or the server's one lane. */
    Lane laneFor() {
        return asyncHandlers ? new Lane(executor, containerSlots, laneCapacity, this::isClosing) : sharedLane;
    }

    private boolean isClosing() {
        return closing;
    }

    boolean packetLog() {
        return packetLog;
    }

    /** What the server holds now: sessions, sockets, rooms, pending acknowledgements, closing connections. */
    public ServerStats stats() {
        int sockets = 0;
        int rooms = 0;
        int acks = 0;
        for (Namespace nsp : namespaces.values()) {
            for (Socket s : nsp.allSockets()) {
                sockets++;
                acks += s.pendingAckCount();
            }
            rooms += nsp.roomCount();
        }
        return new ServerStats(engine.sessionCount(), sockets, rooms, acks, backgroundTasks.size(),
                engine.closingConnections(), containerSlots == null ? 0 : containerSlots.used());
    }

    // ---------------------------------------------------------------- background work

    /**
     * Runs {@code task} on the server's executor (python-socketio's
     * {@code start_background_task}). Tasks still running when the server closes are interrupted.
     */
    public java.util.concurrent.Future<?> startBackgroundTask(Runnable task) {
        Objects.requireNonNull(task, "task");
        java.util.concurrent.FutureTask<Void> future = new java.util.concurrent.FutureTask<>(task, null) {
            @Override
            protected void done() {
                backgroundTasks.remove(this);
            }
        };
        backgroundTasks.add(future);
        executor.execute(future);
        return future;
    }

    /** Sleeps on the calling thread (python-socketio's {@code sleep}), for background tasks. */
    public static void sleep(Duration duration) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    }

    // ---------------------------------------------------------------- main namespace shortcuts

    /** Registers an event handler on the main namespace {@code /}. */
    public SocketIoServer on(String event, EventHandler handler) {
        of("/").on(event, handler);
        return this;
    }

    /** Registers the connect handler of the main namespace. */
    public SocketIoServer onConnect(ConnectHandler handler) {
        of("/").onConnect(handler);
        return this;
    }

    /** Registers the disconnect handler of the main namespace. */
    public SocketIoServer onDisconnect(DisconnectHandler handler) {
        of("/").onDisconnect(handler);
        return this;
    }

    /** Sends an event to every client of the main namespace. */
    public void emit(String event, Object... args) {
        of("/").emit(event, args);
    }

    /** Sends a {@code message} event to every client of the main namespace. */
    public void send(Object data) {
        of("/").send(data);
    }

    /** An emitter to rooms (or socket ids) of the main namespace. */
    public BroadcastOperator to(String... rooms) {
        return of("/").to(rooms);
    }

    /** An emitter to every client of the main namespace, waiting this long for acknowledgements. */
    public BroadcastOperator timeout(Duration timeout) {
        return of("/").timeout(timeout);
    }

    /** An emitter to every client of the main namespace except these socket ids. */
    public BroadcastOperator skipSid(String... sids) {
        return of("/").skipSid(sids);
    }

    /**
     * Sends an event to a client of the main namespace, wherever it is connected in a cluster,
     * and asks it to acknowledge it; see {@link Namespace#emitWithAck(String, Duration, String, Object...)}.
     */
    public java.util.concurrent.CompletableFuture<List<Object>> emitWithAck(String sid, Duration timeout,
            String event, Object... args) {
        return of("/").emitWithAck(sid, timeout, event, args);
    }

    /** Sends an event to a client of the main namespace and waits for its acknowledgement. */
    public List<Object> call(String sid, Duration timeout, String event, Object... args)
            throws java.util.concurrent.TimeoutException, InterruptedException {
        return of("/").call(sid, timeout, event, args);
    }

    /** The connected client with this socket id in the main namespace, or {@code null}. */
    public Socket socket(String sid) {
        return of("/").socket(sid);
    }

    /** Puts a client of the main namespace in a room. */
    public void enterRoom(String sid, String room) {
        of("/").enterRoom(sid, room);
    }

    /** Takes a client of the main namespace out of a room. */
    public void leaveRoom(String sid, String room) {
        of("/").leaveRoom(sid, room);
    }

    /** Empties a room of the main namespace. */
    public void closeRoom(String room) {
        of("/").closeRoom(room);
    }

    /** The rooms of a client of the main namespace. */
    public Set<String> rooms(String sid) {
        return of("/").rooms(sid);
    }

    /** Disconnects a client from the main namespace. */
    public void disconnect(String sid) {
        of("/").disconnect(sid);
    }

    /** The user session of a client of the main namespace. */
    public Map<String, Object> getSession(String sid) {
        return of("/").getSession(sid);
    }

    /** Replaces the user session of a client of the main namespace. */
    public void saveSession(String sid, Map<String, Object> session) {
        of("/").saveSession(sid, session);
    }

    /** The user session of a client of the main namespace, saved when closed. */
    public SessionScope session(String sid) {
        return of("/").session(sid);
    }

    /** The transport a client of the main namespace uses now, or {@code null}. */
    public EngineOptions.Transport transport(String sid) {
        return of("/").transport(sid);
    }

    /**
     * Disconnects every client ("server shutting down"), stops the scheduler, and stops the
     * handler executor if the server created it (after the disconnect handlers ran).
     */
    @Override
    public void close() {
        closing = true;
        if (containerSlots != null) {
            // what the disconnects below start runs on the server's own threads, joined below
            containerSlots.close();
        }
        engine.close();
        manager.close();
        for (java.util.concurrent.Future<?> task : List.copyOf(backgroundTasks)) {
            task.cancel(true);
        }
        if (containerSlots != null) {
            try {
                if (!containerSlots.await(TimeUnit.SECONDS.toNanos(10))) {
                    LOG.warn("handlers still running on the container's threads 10 s after close");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownedExecutor != null && platformThreads != null) {
            platformThreads.shutdownAndJoin(ownedExecutor, 10, TimeUnit.SECONDS);
        } else if (ownedExecutor != null) {
            ownedExecutor.shutdown();
            try {
                if (!ownedExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                    ownedExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                ownedExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The clients of this process, as the manager sees them. */
    private final class LocalServer implements ManagedServer {
        @Override
        public void emitLocal(Emit emit) {
            Namespace nsp = namespaces.get(emit.namespace());
            if (nsp != null) {
                BroadcastOperator.of(nsp, emit).deliver(emit.event(), emit.argsArray());
            }
        }

        @Override
        public void emitLocal(Emit emit, Duration ackTimeout, java.util.function.Consumer<List<Object>> onAck) {
            Namespace nsp = namespaces.get(emit.namespace());
            if (nsp == null) {
                return;
            }
            for (Socket s : BroadcastOperator.of(nsp, emit).sockets()) {
                s.emitWithAck(ackTimeout, emit.event(), emit.argsArray()).thenAccept(onAck);
            }
        }

        @Override
        public java.util.concurrent.CompletableFuture<List<Object>> emitWithAckLocal(String namespace, String sid,
                Duration timeout, String event, Object... args) {
            Namespace nsp = namespaces.get(namespace);
            Socket s = nsp == null ? null : nsp.socket(sid);
            return s == null ? null : s.emitWithAck(timeout, event, args);
        }

        @Override
        public boolean disconnectLocal(String namespace, String sid) {
            Namespace nsp = namespaces.get(namespace);
            return nsp != null && nsp.disconnectLocal(sid);
        }

        @Override
        public JsonMapper jsonMapper() {
            return jsonMapper;
        }

        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public ScheduledExecutorService scheduler() {
            return engine.scheduler();
        }
    }

    private final class Handler implements EngineHandler {
        @Override
        public void onOpen(EngineSocket socket) {
            Connection connection = new Connection(SocketIoServer.this, socket);
            socket.attachment(connection);
            connection.startConnectTimer();
        }

        @Override
        public void onMessage(EngineSocket socket, String text) {
            Connection c = (Connection) socket.attachment();
            if (c != null) {
                c.onText(text);
            }
        }

        @Override
        public void onBinary(EngineSocket socket, byte[] data) {
            Connection c = (Connection) socket.attachment();
            if (c != null) {
                c.onBinary(data);
            }
        }

        @Override
        public void onClose(EngineSocket socket, DisconnectReason reason) {
            Connection c = (Connection) socket.attachment();
            if (c != null) {
                c.onClose(reason);
            } else {
                LOG.debug("session {} closed before it was set up", socket.id());
            }
        }
    }

    /** Builder for {@link SocketIoServer}; settings are frozen by {@link #build()}. */
    public static final class Builder {
        private EngineOptions.Builder engine = EngineOptions.builder();
        private Duration connectTimeout = Duration.ofSeconds(45);
        private boolean alwaysConnect;
        private List<String> namespaces;
        private JsonMapper jsonMapper = new GsonJsonMapper();
        private Executor executor;
        private int maxAttachments = 10;
        private int laneCapacity = 1024;
        private boolean asyncHandlers = true;
        private boolean logger;
        private Manager manager;

        private Builder() {
        }

        /**
         * The client manager (python-socketio's {@code client_manager}; default: in memory, for a
         * single process). A {@link org.jsio.manager.RedisManager} makes this server one process
         * of a cluster: {@code .clientManager(Manager.fromEnvironment())} joins the Redis cluster
         * named by {@code SOCKETIO_REDIS_URL} when it is set. The server closes the manager when it
         * closes.
         */
        public Builder clientManager(Manager value) {
            this.manager = Objects.requireNonNull(value, "manager");
            return this;
        }

        /** Replaces all Engine.IO settings. */
        public Builder engineOptions(EngineOptions options) {
            this.engine = options.toBuilder();
            return this;
        }

        /** @see EngineOptions#pingInterval() */
        public Builder pingInterval(Duration value) {
            engine.pingInterval(value);
            return this;
        }

        /** @see EngineOptions#pingTimeout() */
        public Builder pingTimeout(Duration value) {
            engine.pingTimeout(value);
            return this;
        }

        /** @see EngineOptions#maxHttpBufferSize() */
        public Builder maxHttpBufferSize(int bytes) {
            engine.maxHttpBufferSize(bytes);
            return this;
        }

        /** @see EngineOptions#maxBufferedBytes() */
        public Builder maxBufferedBytes(long bytes) {
            engine.maxBufferedBytes(bytes);
            return this;
        }

        /** @see EngineOptions#allowUpgrades() */
        public Builder allowUpgrades(boolean value) {
            engine.allowUpgrades(value);
            return this;
        }

        /** @see EngineOptions#transports() */
        public Builder transports(EngineOptions.Transport... value) {
            engine.transports(value);
            return this;
        }

        /** @see EngineOptions#corsAllowedOrigins() */
        public Builder corsAllowedOrigins(String... origins) {
            engine.corsAllowedOrigins(origins);
            return this;
        }

        /** @see EngineOptions#corsCredentials() */
        public Builder corsCredentials(boolean value) {
            engine.corsCredentials(value);
            return this;
        }

        /** @see EngineOptions#httpCompression() */
        public Builder httpCompression(boolean value) {
            engine.httpCompression(value);
            return this;
        }

        /** @see EngineOptions#compressionThreshold() */
        public Builder compressionThreshold(int bytes) {
            engine.compressionThreshold(bytes);
            return this;
        }

        /**
         * How long a new connection may take to join a namespace before it is closed
         * (default 45 s, as the Node.js server).
         */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Objects.requireNonNull(value, "connectTimeout");
            return this;
        }

        /**
         * Confirm connections before the connect handler runs; a refusal then disconnects the
         * client instead of sending a connection error (default false).
         */
        public Builder alwaysConnect(boolean value) {
            this.alwaysConnect = value;
            return this;
        }

        /**
         * Namespaces clients may connect to besides those created with {@code of()}; {@code "*"}
         * accepts any namespace.
         */
        public Builder namespaces(String... names) {
            this.namespaces = List.of(names);
            return this;
        }

        /** The JSON mapper for application types (default: Gson). */
        public Builder jsonMapper(JsonMapper value) {
            this.jsonMapper = Objects.requireNonNull(value, "jsonMapper");
            return this;
        }

        /**
         * The executor for handlers (default: virtual threads on Java 21+, else a fixed pool).
         * The server does not shut down an executor it was given.
         *
         * <p>With the default, a client whose container offers its own executor for the work
         * its requests cause (the adapter does so on Tomcat) has its handlers run there, on the
         * container's request threads, so that the thread that read an event often runs its
         * handler too; never inside the container's I/O callback, and never more clients at once
         * than the default pool has threads, nor than half the container's pool (the rest run on
         * the default executor). An executor given here is always the one used.
         */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /**
         * With {@code true} (the default) each client has its own ordered lane: a client's events
         * are handled in order, different clients in parallel. With {@code false} all handlers of
         * the server run one at a time, in the order the events arrived.
         */
        public Builder asyncHandlers(boolean value) {
            this.asyncHandlers = value;
            return this;
        }

        /**
         * Logs every Socket.IO packet received and sent at INFO on the logger
         * {@code org.jsio.socketio.packets} (python-socketio's {@code logger=True}); otherwise they
         * are logged there at DEBUG.
         */
        public Builder logger(boolean value) {
            this.logger = value;
            return this;
        }

        /** Logs every Engine.IO packet at INFO on {@code org.jsio.engine.packets} ({@code engineio_logger=True}). */
        public Builder engineioLogger(boolean value) {
            engine.logger(value);
            return this;
        }

        /** Most binary attachments accepted in one packet (default 10). */
        public Builder maxAttachments(int value) {
            this.maxAttachments = value;
            return this;
        }

        /** Most tasks waiting on one client's lane before the client is disconnected (default 1024). */
        public Builder laneCapacity(int value) {
            this.laneCapacity = value;
            return this;
        }

        /** Builds the server. */
        public SocketIoServer build() {
            return new SocketIoServer(this);
        }
    }
}
