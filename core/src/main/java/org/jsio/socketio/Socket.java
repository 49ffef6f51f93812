package org.jsio.socketio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jsio.engine.EngineOptions.Transport;
import org.jsio.engine.Handshake;
import org.jsio.engine.FanOut;
import org.jsio.engine.Packet;
import org.jsio.internal.OwnedThreads;

/**
 * One client connected to one namespace (python-socketio's {@code sid} plus what it stands for).
 * Its {@link #id()} is the Socket.IO socket id, distinct from the Engine.IO session id. Methods
 * are thread-safe and never block, except {@link #call}.
 */
public final class Socket {
    /** CONFIRMING: the confirmation is being sent; the socket counts as connected, senders wait. */
    enum State { CONNECTING, CONFIRMING, CONNECTED, DISCONNECTED }

    /**
     * The running handler's socket, on threads the library did not make: in a holder each thread
     * keeps, so that entering and leaving a handler only reads the thread's entry. The library's
     * own handler threads keep it in a field instead ({@link OwnedThreads.Worker#slot}). The
     * holder is a JDK type and is empty once the outermost handler has returned, so that a
     * container's thread that keeps it holds nothing of the application's (no class of its class
     * loader) between handlers, nor after the application is undeployed.
     */
    private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(() -> new Object[1]);

    private final Namespace namespace;
    private final Connection connection;
    private final String id;
    private final Map<String, Object> auth;
    private volatile State state = State.CONNECTING;
    private List<List<Packet>> pending = new ArrayList<>();
    private final AtomicLong ackIds = new AtomicLong();
    private final Map<Long, PendingAck> acks = new ConcurrentHashMap<>();
    private volatile Map<String, Object> session = Map.of();

    Socket(Namespace namespace, Connection connection, String id, Map<String, Object> auth) {
        this.namespace = namespace;
        this.connection = connection;
        this.id = id;
        this.auth = Collections.unmodifiableMap(auth);
    }

    /**
     * The client whose handler is running on this thread (Flask-SocketIO's request context), for
     * code deep inside a handler that was not handed the socket.
     *
     * @throws IllegalStateException outside a connect, event or disconnect handler
     */
    public static Socket current() {
        Thread t = Thread.currentThread();
        Object s = t instanceof OwnedThreads.Worker ? ((OwnedThreads.Worker) t).slot : CURRENT.get()[0];
        if (s == null) {
            throw new IllegalStateException("no Socket.IO handler is running on this thread");
        }
        return (Socket) s;
    }

    static Socket enter(Socket socket) {
        Thread t = Thread.currentThread();
        if (t instanceof OwnedThreads.Worker) {
            OwnedThreads.Worker w = (OwnedThreads.Worker) t;
            Socket previous = (Socket) w.slot;
            w.slot = socket;
            return previous;
        }
        Object[] holder = CURRENT.get();
        Socket previous = (Socket) holder[0];
        holder[0] = socket;
        return previous;
    }

    static void leave(Socket previous) {
        Thread t = Thread.currentThread();
        if (t instanceof OwnedThreads.Worker) {
            ((OwnedThreads.Worker) t).slot = previous;
            return;
        }
        // the holder stays with the thread (an empty one holds no client), so that the next
        // handler on this thread neither removes nor adds an entry of its thread-local map
        CURRENT.get()[0] = previous;
    }

    /** The socket id (python-socketio's {@code sid}). */
    public String id() {
        return id;
    }

    /** The namespace name, e.g. {@code "/"} or {@code "/chat"}. */
    public String namespace() {
        return namespace.name();
    }

    /** The namespace object. */
    public Namespace nsp() {
        return namespace;
    }

    /** The request that opened the underlying connection. */
    public Handshake handshake() {
        return connection.engine().handshake();
    }

    /** The auth payload the client sent when it connected (empty map when none). */
    public Map<String, Object> auth() {
        return auth;
    }

    /** The transport in use now: polling or websocket. */
    public Transport transport() {
        return connection.engine().transport();
    }

    /** Whether the client is connected to the namespace now. */
    public boolean isConnected() {
        State s = state;
        return s == State.CONNECTED || s == State.CONFIRMING;
    }

    State state() {
        return state;
    }

    Connection connection() {
        return connection;
    }

    // ---------------------------------------------------------------- sending

    /** Sends an event to this client. Arguments may contain {@code byte[]} anywhere. */
    public void emit(String event, Object... args) {
        sendPackets(namespace.encodeEvent(event, args, SocketIoPacket.NO_ID));
    }

    /** Sends a {@code message} event (python-socketio's {@code send}). */
    public void send(Object data) {
        emit("message", data);
    }

    /**
     * Sends an event and asks the client to acknowledge it. The future completes with the
     * client's acknowledgement arguments, or fails with a {@link TimeoutException} after
     * {@code timeout}, or with {@link java.util.concurrent.CancellationException} if the client
     * disconnects first. It is settled on the server's {@link SocketIoServer#executor()}, so what
     * is chained to it never runs on a container thread or the engine's scheduler.
     */
    public CompletableFuture<List<Object>> emitWithAck(Duration timeout, String event, Object... args) {
        CompletableFuture<List<Object>> future = new CompletableFuture<>();
        if (state == State.DISCONNECTED) {
            future.cancel(false);
            return future;
        }
        long ackId = ackIds.getAndIncrement();
        PendingAck pendingAck = new PendingAck(future);
        acks.put(ackId, pendingAck);
        if (timeout != null) {
            pendingAck.timer = namespace.server().scheduler().schedule(() -> {
                if (acks.remove(ackId, pendingAck)) {
                    pendingAck.fail(new TimeoutException(
                            "no acknowledgement of '" + event + "' within " + timeout.toMillis() + " ms"),
                            namespace.server());
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (state == State.DISCONNECTED && acks.remove(ackId, pendingAck)) {
            pendingAck.cancel(namespace.server());
        }
        sendPackets(namespace.encodeEvent(event, args, ackId));
        return future;
    }

    /** Like {@link #emitWithAck(Duration, String, Object...)} with no timeout. */
    public CompletableFuture<List<Object>> emitWithAck(String event, Object... args) {
        return emitWithAck(null, event, args);
    }

    /**
     * Sends an event and waits for the client's acknowledgement (python-socketio's {@code call}),
     * at most 60 seconds.
     *
     * @throws TimeoutException when the client does not answer in time
     */
    public List<Object> call(String event, Object... args) throws TimeoutException, InterruptedException {
        return call(Duration.ofSeconds(60), event, args);
    }

    /** Like {@link #call(String, Object...)} with an explicit timeout. */
    public List<Object> call(Duration timeout, String event, Object... args)
            throws TimeoutException, InterruptedException {
        try {
            return emitWithAck(timeout, event, args).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw (TimeoutException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            throw new TimeoutException("client disconnected before acknowledging '" + event + "'");
        }
    }

    /**
     * Sends an event only if the client can take it now (Node's {@code socket.volatile.emit}):
     * dropped when a previous send is still being written or a polling client is not polling.
     * For data where the latest value is all that matters (positions, typing indicators).
     */
    public void emitVolatile(String event, Object... args) {
        sendVolatile(namespace.encodeEvent(event, args, SocketIoPacket.NO_ID));
    }

    void sendVolatile(List<Packet> packets) {
        sendVolatile(packets, null);
    }

    void sendVolatile(List<Packet> packets, FanOut fanOut) {
        State s = state;
        if (s == State.CONFIRMING) {
            synchronized (this) {
                // the confirmation is being written: it goes first
                s = state;
            }
        }
        if (s == State.CONNECTED) {
            connection.engine().sendVolatile(packets, fanOut);
        }
    }

    /**
     * An emitter to this client only whose packets are never compressed (Node's
     * {@code socket.compress(false).emit}): {@code socket.compress(false).emit("frame", jpeg)}.
     */
    public BroadcastOperator compress(boolean value) {
        // this client is here: nothing to tell the other processes of a cluster
        return namespace.to(id).compress(value).ignoreQueue();
    }

    /** Emits to every client of the namespace but this one (Flask-SocketIO's {@code broadcast=True}). */
    public BroadcastOperator broadcast() {
        return namespace.skipSid(id);
    }

    /** Emits to the given rooms, leaving this client out (Node's {@code socket.to(room).emit}). */
    public BroadcastOperator to(String... rooms) {
        return namespace.to(rooms).skipSid(id);
    }

    void sendPackets(List<Packet> packets) {
        sendPackets(packets, null);
    }

    /** Sends packets to this client, as one of the sends of {@code fanOut} (may be null) once connected. */
    void sendPackets(List<Packet> packets, FanOut fanOut) {
        State s = state;
        if (s == State.CONNECTED) {
            connection.engine().send(packets, fanOut);
            return;
        }
        if (s == State.CONNECTING || s == State.CONFIRMING) {
            synchronized (this) {
                if (state == State.CONNECTING && pending != null) {
                    pending.add(packets);
                    return;
                }
                if (state == State.DISCONNECTED) {
                    return;
                }
            }
            connection.engine().send(packets);
        }
    }

    /** Sends the CONNECT confirmation, then what was emitted while connecting. */
    boolean confirm(List<Packet> connectPacket) {
        synchronized (this) {
            if (state != State.CONNECTING) {
                return false;
            }
            List<Packet> out = new ArrayList<>(connectPacket);
            for (List<Packet> p : pending) {
                out.addAll(p);
            }
            pending = null;
            // Connected from now on for everyone who looks, but sent under the lock so that no
            // other sender overtakes the confirmation (senders wait while CONFIRMING). A
            // transport that fails during the send closes the session on this thread and marks
            // the socket disconnected, which the state check below sees.
            state = State.CONFIRMING;
            connection.engine().send(out);
            if (state != State.CONFIRMING) {
                return false;
            }
            state = State.CONNECTED;
            return true;
        }
    }

    /** Marks the socket gone; returns whether it had been connected. Later sends are dropped. */
    boolean markDisconnected() {
        synchronized (this) {
            State before = state;
            state = State.DISCONNECTED;
            pending = null;
            return before == State.CONNECTED || before == State.CONFIRMING;
        }
    }

    void onAck(long ackId, List<Object> args) {
        PendingAck p = acks.remove(ackId);
        if (p != null) {
            p.complete(args, namespace.server());
        }
    }

    void cancelAcks() {
        for (Long key : List.copyOf(acks.keySet())) {
            PendingAck p = acks.remove(key);
            if (p != null) {
                p.cancel(namespace.server());
            }
        }
    }

    int pendingAckCount() {
        return acks.size();
    }

    // ---------------------------------------------------------------- rooms

    /** Puts this client in a room. */
    public void enterRoom(String room) {
        namespace.enterRoom(this, room);
    }

    /** Takes this client out of a room. */
    public void leaveRoom(String room) {
        namespace.leaveRoom(this, room);
    }

    /** The rooms this client is in, including its own room named by its id. */
    public Set<String> rooms() {
        return namespace.rooms(id);
    }

    // ---------------------------------------------------------------- session and lifecycle

    /** A copy of the user session saved for this client (empty at first). */
    public Map<String, Object> getSession() {
        return new LinkedHashMap<>(session);
    }

    /** Replaces the user session with a copy of {@code values}. */
    public void saveSession(Map<String, Object> values) {
        session = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Disconnects this client from the namespace; the underlying connection stays open. */
    public void disconnect() {
        connection.disconnectSocket(this, false);
    }

    /**
     * Disconnects this client; with {@code closeConnection} the whole underlying connection
     * (every namespace) is closed too.
     */
    public void disconnect(boolean closeConnection) {
        connection.disconnectSocket(this, closeConnection);
    }

    @Override
    public String toString() {
        return "Socket[" + namespace.name() + " " + id + "]";
    }

    private static final class PendingAck {
        final CompletableFuture<List<Object>> future;
        volatile ScheduledFuture<?> timer;

        PendingAck(CompletableFuture<List<Object>> future) {
            this.future = future;
        }

        void complete(List<Object> args, SocketIoServer server) {
            stopTimer();
            List<Object> values = Collections.unmodifiableList(args);
            // Completed off the client's lane, so a handler blocked in call() is woken up.
            settle(server, () -> future.complete(values));
        }

        /** Fails the future (the timeout), on the server's executor. */
        void fail(Throwable failure, SocketIoServer server) {
            settle(server, () -> future.completeExceptionally(failure));
        }

        /** Cancels the future (the client left), on the server's executor. */
        void cancel(SocketIoServer server) {
            stopTimer();
            settle(server, () -> future.cancel(false));
        }

        private void stopTimer() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }

        /**
         * Settles the future on the handler executor: the application's continuations of it then
         * run there, never on the engine's scheduler or a container thread (or on this thread if
         * the executor refuses, when the server is closing).
         */
        private static void settle(SocketIoServer server, Runnable settle) {
            try {
                server.executor().execute(settle);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                settle.run();
            }
        }
    }

    static List<Object> argsList(String event, Object[] args) {
        List<Object> data = new ArrayList<>(args.length + 1);
        data.add(event);
        data.addAll(Arrays.asList(args));
        return data;
    }
}
