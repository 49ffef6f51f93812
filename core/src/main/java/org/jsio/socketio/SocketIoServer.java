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
import org.jsio.json.GsonJsonMapper;
import org.jsio.json.JsonMapper;
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
    private static final AtomicInteger EXECUTOR_IDS = new AtomicInteger();

    private final EngineServer engine;
    private final Duration connectTimeout;
    private final boolean alwaysConnect;
    private final Set<String> acceptedNamespaces;
    private final JsonMapper jsonMapper;
    private final PacketCodec codec;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final int laneCapacity;
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();

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
        namespaces.put("/", new Namespace(this, "/"));
    }

    /** A builder with the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** A server with the default settings. */
    public static SocketIoServer create() {
        return builder().build();
    }

    private static ExecutorService defaultExecutor() {
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
            AtomicInteger n = new AtomicInteger();
            int threads = Math.max(16, Runtime.getRuntime().availableProcessors() * 8);
            return Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "socketio-handler-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
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

    int laneCapacity() {
        return laneCapacity;
    }

    PacketCodec codec() {
        return codec;
    }

    String newSocketId() {
        return EngineServer.generateId();
    }

    List<Packet> encode(PacketType type, String namespace, long id, Object data) {
        PacketCodec.Encoded encoded = codec.encode(type, namespace, id, data);
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

    /** The namespace with this name, created if needed (it then accepts clients). */
    public Namespace of(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/': " + name);
        }
        return namespaces.computeIfAbsent(name, n -> new Namespace(this, n));
    }

    /** The namespace a client may connect to, or {@code null} to refuse it. */
    Namespace namespaceFor(String name) {
        Namespace existing = namespaces.get(name);
        if (existing != null) {
            return existing;
        }
        if (acceptedNamespaces != null && (acceptedNamespaces.contains("*") || acceptedNamespaces.contains(name))) {
            return of(name);
        }
        return null;
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

    /** An emitter to every client of the main namespace except these socket ids. */
    public BroadcastOperator skipSid(String... sids) {
        return of("/").skipSid(sids);
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

    /**
     * Disconnects every client ("server shutting down"), stops the scheduler, and stops the
     * handler executor if the server created it (after the disconnect handlers ran).
     */
    @Override
    public void close() {
        engine.close();
        if (ownedExecutor != null) {
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

        private Builder() {
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
         */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
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
