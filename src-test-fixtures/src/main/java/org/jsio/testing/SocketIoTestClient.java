package org.jsio.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.engine.spi.WebSocketListener;
import org.jsio.json.JsonException;
import org.jsio.json.JsonTree;
import org.jsio.socketio.PacketCodec;
import org.jsio.socketio.PacketType;
import org.jsio.socketio.ProtocolException;
import org.jsio.socketio.SocketIoPacket;
import org.jsio.socketio.SocketIoServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Socket.IO client that talks to a {@link SocketIoServer} in the same process, with no network
 * and no container: Flask-SocketIO's {@code test_client} for unit tests of an application's
 * handlers.
 *
 * <pre>{@code
 * try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
 *     assertEquals(List.of("pong"), client.emitWithAck("ping"));
 *     client.emit("join", "lobby");
 *     Received hello = client.awaitEvent("welcome", Duration.ofSeconds(5));
 *     List<Received> everything = client.getReceived();
 * }
 * }</pre>
 *
 * <p>The client opens a real Engine.IO session over the engine's WebSocket path, so the server
 * runs exactly the code it runs for a browser: handshake snapshot (query, headers, cookies,
 * remote address 127.0.0.1), namespaces, binary attachments, acknowledgements, heartbeats (pings
 * are answered automatically) and disconnects.
 *
 * <p>Most methods have two forms: one for the client's <em>default namespace</em> (the one given
 * to {@link Builder#namespace}, {@code "/"} unless set) and one taking a namespace. Sending on a
 * namespace the client is not connected to throws {@link IllegalStateException} instead of
 * breaking the protocol.
 *
 * <p>Server handlers run on the server's executor, so what the server sends in reply to an event
 * arrives asynchronously: wait for it with {@link #awaitEvent} or with {@link #emitWithAck}
 * (everything the server sent before its acknowledgement has been received when it returns).
 * Sending methods return once the server's engine has taken the frames.
 *
 * <p>Thread-safe. Frames from the server are handled, in order, on one thread per client, which
 * also runs the {@link #onAck} responders. If the server sends something this client cannot
 * decode, or a responder throws, the failure is kept and thrown (as the cause of an
 * {@link IllegalStateException}) by every later waiting method.
 */
public final class SocketIoTestClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SocketIoTestClient.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final int NORMAL_CLOSURE = 1000;
    /** Event names a client may not emit (the JavaScript client refuses them too). */
    private static final Set<String> RESERVED_EVENTS = Set.of(
            "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    private enum Status { CONNECTING, CONNECTED, REFUSED, DISCONNECTED }

    private static final class NamespaceState {
        Status status = Status.DISCONNECTED;
        String sid;
        Map<String, Object> error;
    }

    private static final class PendingAck {
        final String namespace;
        final CompletableFuture<List<Object>> future = new CompletableFuture<>();

        PendingAck(String namespace) {
            this.namespace = namespace;
        }
    }

    private final SocketIoServer server;
    private final String defaultNamespace;
    private final Duration connectTimeout;
    private final Duration ackTimeout;
    private final PacketCodec codec;
    private final ExecutorService io;
    private volatile Thread ioThread;
    private final Map<String, Function<List<Object>, List<Object>>> responders = new ConcurrentHashMap<>();
    private final Map<Long, PendingAck> acks = new ConcurrentHashMap<>();
    private final AtomicLong ackIds = new AtomicLong();

    private final Object lock = new Object();
    // Guarded by lock.
    private boolean open;
    private boolean closed;
    private RuntimeException failure;
    private final Map<String, NamespaceState> namespaces = new HashMap<>();
    private final Map<String, List<Received>> received = new HashMap<>();

    // Touched only on the io thread.
    private WebSocketListener listener;
    private boolean listenerClosed;
    private SocketIoPacket partial;
    private List<byte[]> parts;

    private SocketIoTestClient(Builder b) {
        this.server = b.server;
        this.defaultNamespace = b.namespace;
        this.connectTimeout = b.connectTimeout;
        this.ackTimeout = b.ackTimeout;
        // The server may send as many attachments as it likes; only the client limits itself.
        this.codec = new PacketCodec(server.jsonMapper(), Integer.MAX_VALUE);
        String name = "socketio-test-client-" + IDS.incrementAndGet();
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            ioThread = t;
            return t;
        });
    }

    /**
     * Connects a new client to the main namespace {@code "/"} without auth, waiting at most 5
     * seconds for the server's answer. Check {@link #isConnected()} or {@link #connectError()} to
     * see whether the server accepted it.
     *
     * @throws IllegalStateException if the server refused the handshake or did not answer in time
     */
    public static SocketIoTestClient connect(SocketIoServer server) {
        return builder(server).connect();
    }

    /** A builder for a client of {@code server}, to set namespace, auth, query, headers or timeouts. */
    public static Builder builder(SocketIoServer server) {
        return new Builder(server);
    }

    // ---------------------------------------------------------------- namespaces

    /**
     * Connects to another namespace over the same connection (multiplexing), without auth.
     *
     * @return whether the server accepted the connection; if not, see {@link #connectError(String)}
     * @throws IllegalStateException if the connection is closed or the server did not answer
     *     within the connect timeout
     */
    public boolean connect(String namespace) {
        return connect(namespace, null);
    }

    /**
     * Connects to another namespace over the same connection, sending {@code auth} (what the
     * server's connect handler receives); {@code null} sends none. Returns at once if already
     * connected.
     *
     * @return whether the server accepted the connection; if not, see {@link #connectError(String)}
     * @throws IllegalStateException if the connection is closed or the server did not answer
     *     within the connect timeout
     */
    public boolean connect(String namespace, Map<String, Object> auth) {
        checkNamespace(namespace);
        NamespaceState state;
        boolean send = false;
        synchronized (lock) {
            checkUsable();
            state = namespaces.computeIfAbsent(namespace, n -> new NamespaceState());
            if (state.status == Status.CONNECTED) {
                return true;
            }
            if (state.status != Status.CONNECTING) {
                state.status = Status.CONNECTING;
                state.error = null;
                send = true;
            }
        }
        if (send) {
            deliver(frames(PacketType.CONNECT, namespace, SocketIoPacket.NO_ID,
                    auth == null ? null : new LinkedHashMap<>(auth)));
        }
        NamespaceState s = state;
        if (!await(() -> s.status != Status.CONNECTING || closed || failure != null, connectTimeout)) {
            throw new IllegalStateException("the server did not answer the CONNECT to " + namespace
                    + " within " + connectTimeout.toMillis() + " ms");
        }
        synchronized (lock) {
            checkFailure();
            return state.status == Status.CONNECTED;
        }
    }

    /**
     * Leaves a namespace (a DISCONNECT packet; the server's disconnect handler sees
     * "client disconnect"). The connection and the other namespaces stay open. Does nothing if
     * the client is not connected to it.
     */
    public void disconnect(String namespace) {
        checkNamespace(namespace);
        synchronized (lock) {
            NamespaceState state = namespaces.get(namespace);
            if (closed || state == null || state.status != Status.CONNECTED) {
                return;
            }
            state.status = Status.DISCONNECTED;
            state.sid = null;
            lock.notifyAll();
        }
        failAcks(namespace, "disconnected from " + namespace);
        deliver(frames(PacketType.DISCONNECT, namespace, SocketIoPacket.NO_ID, null));
    }

    /**
     * Closes the connection: an Engine.IO close packet, then the WebSocket closes. The server's
     * disconnect handlers of every joined namespace see "client disconnect" (they run later, on
     * the server's executor). Safe to call more than once.
     */
    public void disconnect() {
        try {
            runOnIo(() -> {
                boolean wasOpen;
                synchronized (lock) {
                    wasOpen = !closed;
                }
                if (wasOpen) {
                    sendNow(List.of("1"));
                }
                closeLocally(NORMAL_CLOSURE, "");
            });
        } catch (IllegalStateException e) {
            // already closed by the server: nothing to send
        } finally {
            io.shutdown();
        }
    }

    /** Same as {@link #disconnect()}. */
    @Override
    public void close() {
        disconnect();
    }

    /** Whether the connection is open and connected to the default namespace. */
    public boolean isConnected() {
        return isConnected(defaultNamespace);
    }

    /** Whether the connection is open and connected to {@code namespace}. */
    public boolean isConnected(String namespace) {
        synchronized (lock) {
            NamespaceState state = namespaces.get(namespace);
            return !closed && state != null && state.status == Status.CONNECTED;
        }
    }

    /**
     * Waits until the client is no longer connected to the default namespace: the server
     * disconnected it or closed the connection. Returns at once if already so.
     *
     * @throws TimeoutException if still connected after {@code timeout}
     */
    public void awaitDisconnect(Duration timeout) throws TimeoutException, InterruptedException {
        awaitDisconnect(defaultNamespace, timeout);
    }

    /**
     * Waits until the client is no longer connected to {@code namespace}.
     *
     * @throws TimeoutException if still connected after {@code timeout}
     */
    public void awaitDisconnect(String namespace, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (isConnected(namespace)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("still connected to " + namespace + " after " + timeout.toMillis()
                            + " ms");
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    /** The Socket.IO socket id the server gave in the default namespace, or {@code null}. */
    public String sid() {
        return sid(defaultNamespace);
    }

    /**
     * The Socket.IO socket id the server gave in {@code namespace} (what handlers see as
     * {@code socket.id()}), or {@code null} when not connected to it.
     */
    public String sid(String namespace) {
        synchronized (lock) {
            NamespaceState state = namespaces.get(namespace);
            return closed || state == null ? null : state.sid;
        }
    }

    /** The refusal of the last connection attempt to the default namespace, or {@code null}. */
    public Map<String, Object> connectError() {
        return connectError(defaultNamespace);
    }

    /**
     * The payload of the CONNECT_ERROR the server answered the last connection attempt to
     * {@code namespace} with, e.g. {@code {"message": "nope", "data": {...}}}, or {@code null}
     * if it was not refused.
     */
    public Map<String, Object> connectError(String namespace) {
        synchronized (lock) {
            NamespaceState state = namespaces.get(namespace);
            return state == null ? null : state.error;
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends an event on the default namespace. Arguments are JSON values, objects the server's
     * JSON mapper can convert, and {@code byte[]} (anywhere, sent as binary attachments).
     *
     * @throws IllegalStateException if not connected to the namespace
     * @throws IllegalArgumentException if the name is reserved ({@code connect},
     *     {@code disconnect}, ...)
     */
    public void emit(String event, Object... args) {
        emitTo(defaultNamespace, event, args);
    }

    /**
     * Sends an event on {@code namespace}.
     *
     * @throws IllegalStateException if not connected to the namespace
     */
    public void emitTo(String namespace, String event, Object... args) {
        List<Object> data = eventData(event, args);
        synchronized (lock) {
            checkConnected(namespace);
        }
        deliver(frames(PacketType.EVENT, namespace, SocketIoPacket.NO_ID, data));
    }

    /** Sends a {@code message} event with {@code data} on the default namespace. */
    public void send(Object data) {
        emit("message", data);
    }

    /**
     * Sends an event on the default namespace asking for an acknowledgement, and waits for it
     * (5 seconds unless {@link Builder#ackTimeout} says otherwise).
     *
     * @return the acknowledgement's arguments: what the handler returned (one value, none for
     *     {@code null}, several for an {@code Ack}), as JSON values and {@code byte[]}
     * @throws TimeoutException if the acknowledgement did not arrive in time
     * @throws IllegalStateException if not connected, or disconnected before the acknowledgement
     */
    public List<Object> emitWithAck(String event, Object... args) throws TimeoutException, InterruptedException {
        return emitWithAckTo(defaultNamespace, event, args);
    }

    /**
     * Like {@link #emitWithAck(String, Object...)} on {@code namespace}.
     *
     * @throws TimeoutException if the acknowledgement did not arrive in time
     * @throws IllegalStateException if not connected, or disconnected before the acknowledgement
     */
    public List<Object> emitWithAckTo(String namespace, String event, Object... args)
            throws TimeoutException, InterruptedException {
        List<Object> data = eventData(event, args);
        long id = ackIds.getAndIncrement();
        PendingAck pending = new PendingAck(namespace);
        synchronized (lock) {
            checkConnected(namespace);
            acks.put(id, pending);
        }
        try {
            deliver(frames(PacketType.EVENT, namespace, id, data));
            return pending.future.get(ackTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("no acknowledgement of '" + event + "' on " + namespace + " within "
                    + ackTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } finally {
            acks.remove(id, pending);
        }
    }

    /**
     * Sets how this client acknowledges {@code event} when the server asks for it
     * ({@code socket.emitWithAck} / {@code call}): {@code responder} gets the event's arguments
     * and returns the acknowledgement's ({@code null} for none). It runs on the client's receiving
     * thread, so it must not wait for the server (no {@code emitWithAck} or {@code awaitEvent}
     * inside); plain {@code emit} is fine. Without a responder the client acknowledges with no
     * arguments; {@code null} removes one. Applies to every namespace.
     *
     * @return this client
     */
    public SocketIoTestClient onAck(String event, Function<List<Object>, List<Object>> responder) {
        Objects.requireNonNull(event, "event");
        if (responder == null) {
            responders.remove(event);
        } else {
            responders.put(event, responder);
        }
        return this;
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Every event received on the default namespace since the last call, oldest first; the list
     * is then cleared (Flask-SocketIO's {@code get_received}).
     */
    public List<Received> getReceived() {
        return getReceived(defaultNamespace);
    }

    /** Every event received on {@code namespace} since the last call, oldest first; then cleared. */
    public List<Received> getReceived(String namespace) {
        synchronized (lock) {
            List<Received> list = received.remove(namespace);
            return list == null ? List.of() : List.copyOf(list);
        }
    }

    /**
     * Waits for an event on the default namespace: returns the oldest received, not yet
     * collected {@code event}, waiting up to {@code timeout} for one to arrive. The returned
     * event is taken out of what {@link #getReceived()} returns; other events stay.
     *
     * @throws TimeoutException if none arrived in time
     * @throws IllegalStateException if the connection closed first
     */
    public Received awaitEvent(String event, Duration timeout) throws TimeoutException, InterruptedException {
        return awaitEvent(defaultNamespace, event, timeout);
    }

    /**
     * Like {@link #awaitEvent(String, Duration)} on {@code namespace}.
     *
     * @throws TimeoutException if none arrived in time
     * @throws IllegalStateException if the connection closed first
     */
    public Received awaitEvent(String namespace, String event, Duration timeout)
            throws TimeoutException, InterruptedException {
        Objects.requireNonNull(event, "event");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                List<Received> list = received.get(namespace);
                if (list != null) {
                    for (Iterator<Received> it = list.iterator(); it.hasNext();) {
                        Received r = it.next();
                        if (r.name().equals(event)) {
                            it.remove();
                            return r;
                        }
                    }
                }
                checkFailure();
                if (closed) {
                    throw new IllegalStateException("the connection closed before '" + event + "' arrived on "
                            + namespace);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no '" + event + "' on " + namespace + " within "
                            + timeout.toMillis() + " ms");
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    /**
     * One event the server sent to this client.
     *
     * @param name the event name
     * @param args the arguments: JSON values ({@code Map}, {@code List}, {@code String},
     *     {@code Integer}/{@code Long}/{@code Double}, {@code Boolean}, {@code null}) and
     *     {@code byte[]} for binary data; unmodifiable
     * @param namespace the namespace it arrived on
     */
    public record Received(String name, List<Object> args, String namespace) {
        /** Checks the parts and copies the arguments. */
        public Received {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(namespace, "namespace");
            args = Collections.unmodifiableList(new ArrayList<>(args));
        }
    }

    // ---------------------------------------------------------------- opening

    private void open(Builder b) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        InMemoryUpgrade.add(query, "EIO", "4");
        InMemoryUpgrade.add(query, "transport", "websocket");
        b.query.forEach((name, values) -> values.forEach(v -> InMemoryUpgrade.add(query, name, v)));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of("localhost"));
        headers.put("connection", List.of("Upgrade"));
        headers.put("upgrade", List.of("websocket"));
        headers.putAll(b.headers);
        InMemoryUpgrade exchange = new InMemoryUpgrade(query, headers, acceptor -> acceptor.open(new Wire()));
        runOnIo(() -> {
            server.engine().handleRequest(exchange);
            listener = exchange.listener();
        });
        if (exchange.listener() == null) {
            throw new IllegalStateException("the server refused the WebSocket handshake: HTTP " + exchange.status()
                    + " " + exchange.responseText());
        }
        if (!await(() -> open || closed || failure != null, connectTimeout)) {
            throw new IllegalStateException("no Engine.IO open packet within " + connectTimeout.toMillis() + " ms");
        }
        synchronized (lock) {
            checkUsable();
        }
    }

    // ---------------------------------------------------------------- the in-memory WebSocket

    /** The client end as the engine sees it: what the server sends is handled on the io thread. */
    private final class Wire implements WebSocketConnection {
        @Override
        public void sendText(String text, SendCallback done) {
            enqueue(() -> onServerText(text));
            done.done(null);
        }

        @Override
        public void sendBinary(byte[] data, SendCallback done) {
            byte[] copy = data.clone();
            enqueue(() -> onServerBinary(copy));
            done.done(null);
        }

        @Override
        public void close(int code, String reason) {
            enqueue(() -> closeLocally(code, reason));
        }
    }

    private void enqueue(Runnable task) {
        try {
            io.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    fail(e);
                }
            });
        } catch (RejectedExecutionException e) {
            // the client is closed: whatever the server still sends is dropped
        }
    }

    /** Runs {@code task} on the io thread and waits for it (inline when already there). */
    private void runOnIo(Runnable task) {
        if (Thread.currentThread() == ioThread) {
            task.run();
            return;
        }
        Future<?> done;
        try {
            done = io.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the client is closed");
        }
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Hands frames ({@code String} or {@code byte[]}) to the server, in order, from any thread. */
    private void deliver(List<Object> frames) {
        runOnIo(() -> sendNow(frames));
    }

    /** On the io thread: feeds frames to the engine's listener unless the connection closed. */
    private void sendNow(List<Object> frames) {
        synchronized (lock) {
            if (closed || listener == null) {
                return;
            }
        }
        for (Object frame : frames) {
            if (frame instanceof String) {
                listener.onText((String) frame);
            } else {
                listener.onBinary((byte[]) frame);
            }
        }
    }

    private List<Object> frames(PacketType type, String namespace, long id, Object data) {
        PacketCodec.Encoded encoded = codec.encode(type, namespace, id, data);
        List<Object> out = new ArrayList<>(1 + encoded.attachments().size());
        out.add("4" + encoded.text());
        out.addAll(encoded.attachments());
        return out;
    }

    /** On the io thread: the connection is gone (either side); tells the engine once. */
    private void closeLocally(int code, String reason) {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                for (NamespaceState state : namespaces.values()) {
                    if (state.status == Status.CONNECTED || state.status == Status.CONNECTING) {
                        state.status = Status.DISCONNECTED;
                    }
                    state.sid = null;
                }
                lock.notifyAll();
            }
        }
        failAcks(null, "the connection closed");
        if (!listenerClosed && listener != null) {
            listenerClosed = true;
            listener.onClose(code, reason);
        }
        io.shutdown();
    }

    // ---------------------------------------------------------------- receiving (io thread)

    private void onServerText(String text) {
        if (text.isEmpty()) {
            fail(new IllegalStateException("the server sent an empty frame"));
            return;
        }
        switch (text.charAt(0)) {
            case '0':
                onOpen(text.substring(1));
                break;
            case '1':
                closeLocally(NORMAL_CLOSURE, "");
                break;
            case '2':
                sendNow(List.of("3" + text.substring(1)));
                break;
            case '3':
            case '6':
                break;
            case '4':
                onSocketIoText(text.substring(1));
                break;
            default:
                fail(new IllegalStateException("the server sent an unknown Engine.IO packet: " + abbreviate(text)));
        }
    }

    private void onOpen(String json) {
        Object handshake;
        try {
            handshake = JsonTree.parse(json);
        } catch (JsonException e) {
            fail(new IllegalStateException("invalid open packet: " + abbreviate(json), e));
            return;
        }
        if (!(handshake instanceof Map) || !(((Map<?, ?>) handshake).get("sid") instanceof String)) {
            fail(new IllegalStateException("open packet without sid: " + abbreviate(json)));
            return;
        }
        synchronized (lock) {
            open = true;
            lock.notifyAll();
        }
    }

    private void onSocketIoText(String text) {
        if (partial != null) {
            partial = null;
            parts = null;
            fail(new IllegalStateException("a text frame arrived while binary attachments were expected"));
            return;
        }
        SocketIoPacket packet;
        try {
            packet = codec.decode(text);
        } catch (ProtocolException e) {
            fail(new IllegalStateException("invalid Socket.IO packet (" + e.getMessage() + "): " + abbreviate(text), e));
            return;
        }
        if (packet.attachments() > 0) {
            partial = packet;
            parts = new ArrayList<>(packet.attachments());
            return;
        }
        onPacket(packet);
    }

    private void onServerBinary(byte[] data) {
        if (partial == null) {
            fail(new IllegalStateException("a binary frame arrived that no packet announced"));
            return;
        }
        parts.add(data);
        if (parts.size() < partial.attachments()) {
            return;
        }
        SocketIoPacket packet;
        try {
            packet = codec.reconstruct(partial, parts);
        } catch (ProtocolException e) {
            fail(new IllegalStateException("invalid binary packet: " + e.getMessage(), e));
            return;
        } finally {
            partial = null;
            parts = null;
        }
        onPacket(packet);
    }

    @SuppressWarnings("unchecked")
    private void onPacket(SocketIoPacket packet) {
        String namespace = packet.namespace();
        switch (packet.type()) {
            case CONNECT: {
                Object sid = packet.data() instanceof Map ? ((Map<?, ?>) packet.data()).get("sid") : null;
                synchronized (lock) {
                    NamespaceState state = namespaces.computeIfAbsent(namespace, n -> new NamespaceState());
                    state.status = Status.CONNECTED;
                    state.sid = sid == null ? null : sid.toString();
                    state.error = null;
                    lock.notifyAll();
                }
                break;
            }
            case CONNECT_ERROR: {
                Map<String, Object> error;
                if (packet.data() instanceof Map) {
                    error = Collections.unmodifiableMap((Map<String, Object>) packet.data());
                } else {
                    error = Map.of("message", String.valueOf(packet.data()));
                }
                synchronized (lock) {
                    NamespaceState state = namespaces.computeIfAbsent(namespace, n -> new NamespaceState());
                    state.status = Status.REFUSED;
                    state.sid = null;
                    state.error = error;
                    lock.notifyAll();
                }
                break;
            }
            case DISCONNECT: {
                synchronized (lock) {
                    NamespaceState state = namespaces.get(namespace);
                    if (state != null) {
                        state.status = Status.DISCONNECTED;
                        state.sid = null;
                    }
                    lock.notifyAll();
                }
                failAcks(namespace, "the server disconnected " + namespace);
                break;
            }
            case EVENT:
            case BINARY_EVENT:
                onEvent(namespace, packet.id(), (List<Object>) packet.data());
                break;
            case ACK:
            case BINARY_ACK: {
                PendingAck pending = acks.remove(packet.id());
                if (pending == null) {
                    LOG.debug("acknowledgement {} on {} that nobody waits for", packet.id(), namespace);
                } else if (!pending.namespace.equals(namespace)) {
                    fail(new IllegalStateException("acknowledgement " + packet.id() + " arrived on " + namespace
                            + " for an event sent on " + pending.namespace));
                } else {
                    pending.future.complete(Collections.unmodifiableList((List<Object>) packet.data()));
                }
                break;
            }
            default:
                fail(new IllegalStateException("unexpected packet from the server: " + packet));
        }
    }

    private void onEvent(String namespace, long id, List<Object> data) {
        String name = String.valueOf(data.get(0));
        Received event = new Received(name, data.subList(1, data.size()), namespace);
        synchronized (lock) {
            received.computeIfAbsent(namespace, n -> new ArrayList<>()).add(event);
            lock.notifyAll();
        }
        if (id < 0) {
            return;
        }
        Function<List<Object>, List<Object>> responder = responders.get(name);
        List<Object> reply = null;
        if (responder != null) {
            try {
                reply = responder.apply(event.args());
            } catch (RuntimeException e) {
                fail(new IllegalStateException("the onAck responder for '" + name + "' failed", e));
                return;
            }
        }
        sendNow(frames(PacketType.ACK, namespace, id, reply == null ? List.of() : reply));
    }

    // ---------------------------------------------------------------- helpers

    private void fail(RuntimeException e) {
        LOG.warn("test client: {}", e.getMessage(), e);
        synchronized (lock) {
            if (failure == null) {
                failure = e;
            }
            lock.notifyAll();
        }
    }

    /** Fails the pending acknowledgements of {@code namespace} (all when {@code null}). */
    private void failAcks(String namespace, String why) {
        for (Map.Entry<Long, PendingAck> e : acks.entrySet()) {
            PendingAck pending = e.getValue();
            if ((namespace == null || namespace.equals(pending.namespace)) && acks.remove(e.getKey(), pending)) {
                pending.future.completeExceptionally(new IllegalStateException(why
                        + " before the acknowledgement arrived"));
            }
        }
    }

    /** Waits on the lock until {@code condition} holds; false on timeout. */
    private boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while connecting", e);
                }
            }
            return true;
        }
    }

    private void checkFailure() {
        if (failure != null) {
            throw new IllegalStateException("the test client failed earlier: " + failure.getMessage(), failure);
        }
    }

    private void checkUsable() {
        checkFailure();
        if (closed) {
            throw new IllegalStateException("the connection is closed");
        }
    }

    private void checkConnected(String namespace) {
        checkUsable();
        NamespaceState state = namespaces.get(namespace);
        if (state == null || state.status != Status.CONNECTED) {
            throw new IllegalStateException("not connected to " + namespace);
        }
    }

    private static void checkNamespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (!namespace.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/': " + namespace);
        }
    }

    private static List<Object> eventData(String event, Object[] args) {
        Objects.requireNonNull(event, "event");
        if (RESERVED_EVENTS.contains(event)) {
            throw new IllegalArgumentException("'" + event + "' is a reserved event name");
        }
        List<Object> data = new ArrayList<>(1 + (args == null ? 0 : args.length));
        data.add(event);
        if (args != null) {
            Collections.addAll(data, args);
        }
        return data;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "SocketIoTestClient[" + (closed ? "closed" : "open") + " " + namespaces.keySet() + "]";
        }
    }

    // ---------------------------------------------------------------- builder

    /**
     * Settings of a {@link SocketIoTestClient}: {@link #connect()} opens it. Not thread-safe; use
     * it on one thread.
     */
    public static final class Builder {
        private final SocketIoServer server;
        private String namespace = "/";
        private Map<String, Object> auth;
        private final Map<String, List<String>> query = new LinkedHashMap<>();
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private Duration connectTimeout = DEFAULT_TIMEOUT;
        private Duration ackTimeout = DEFAULT_TIMEOUT;

        private Builder(SocketIoServer server) {
            this.server = Objects.requireNonNull(server, "server");
        }

        /** The namespace to connect to and the default of the methods without one ({@code "/"}). */
        public Builder namespace(String value) {
            checkNamespace(value);
            this.namespace = value;
            return this;
        }

        /** The auth payload of the connection (the connect handler's {@code auth}); none by default. */
        public Builder auth(Map<String, Object> value) {
            this.auth = value == null ? null : new LinkedHashMap<>(value);
            return this;
        }

        /**
         * Adds a query parameter to the handshake request (repeat a name for several values).
         * {@code EIO}, {@code transport} and {@code sid} are the client's own.
         */
        public Builder query(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.equals("EIO") || name.equals("transport") || name.equals("sid")) {
                throw new IllegalArgumentException("the query parameter '" + name + "' is set by the client");
            }
            InMemoryUpgrade.add(query, name, value);
            return this;
        }

        /**
         * Sets a header of the handshake request, replacing an earlier value; names are
         * case-insensitive. A {@code cookie} header also fills the handshake's cookies. The client
         * sends {@code Host: localhost} unless told otherwise.
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            headers.put(name.toLowerCase(Locale.ROOT), List.of(value));
            return this;
        }

        /** How long to wait for the server to answer the handshake and each CONNECT (5 s). */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** How long {@link SocketIoTestClient#emitWithAck} waits for the acknowledgement (5 s). */
        public Builder ackTimeout(Duration value) {
            this.ackTimeout = positive(value, "ackTimeout");
            return this;
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return value;
        }

        /**
         * Opens the connection and connects to the namespace, waiting for the server's answer.
         * A refused namespace still returns the client: see {@link SocketIoTestClient#isConnected()}
         * and {@link SocketIoTestClient#connectError()}.
         *
         * @throws IllegalStateException if the server refused the handshake or did not answer in time
         */
        public SocketIoTestClient connect() {
            SocketIoTestClient client = new SocketIoTestClient(this);
            try {
                client.open(this);
                client.connect(namespace, auth);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
            return client;
        }
    }
}
