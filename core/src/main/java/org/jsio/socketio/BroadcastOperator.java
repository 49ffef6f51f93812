package org.jsio.socketio;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsio.engine.FanOut;
import org.jsio.engine.Packet;

/**
 * An immutable description of who receives an emit: rooms to send to (none means everyone in the
 * namespace) and socket ids or rooms to skip. Each call returns a new operator, so one can be
 * kept and reused: {@code server.to("room").skipSid(sid).emit("news", item)}.
 */
public final class BroadcastOperator {
    /**
     * Fewest clients for which a broadcast's WebSocket writes are handed to the engine's writer
     * threads ({@link FanOut}); to fewer, they are written on the sending thread.
     */
    static final int FAN_OUT_MIN = 8;

    private final Namespace namespace;
    private final Set<String> rooms;
    private final Set<String> except;
    private final boolean volatileOnly;
    private final java.time.Duration timeout;
    private final boolean compress;
    private final boolean ignoreQueue;

    BroadcastOperator(Namespace namespace, Set<String> rooms, Set<String> except) {
        this(namespace, rooms, except, false, null, true, false);
    }

    private BroadcastOperator(Namespace namespace, Set<String> rooms, Set<String> except, boolean volatileOnly,
            java.time.Duration timeout, boolean compress, boolean ignoreQueue) {
        this.namespace = namespace;
        this.rooms = rooms;
        this.except = except;
        this.volatileOnly = volatileOnly;
        this.timeout = timeout;
        this.compress = compress;
        this.ignoreQueue = ignoreQueue;
    }

    /**
     * Sends to the clients of this server process only, not through the
     * {@link org.jsio.manager.Manager manager} to the other processes of a cluster
     * (python-socketio's {@code ignore_queue=True}, Node's {@code local}).
     */
    public BroadcastOperator ignoreQueue() {
        return new BroadcastOperator(namespace, rooms, except, volatileOnly, timeout, compress, true);
    }

    /**
     * Whether the emitted packets may be compressed (Node's {@code compress}; default true). With
     * {@code false}, a long-polling response that carries them is never compressed.
     */
    public BroadcastOperator compress(boolean value) {
        return new BroadcastOperator(namespace, rooms, except, volatileOnly, timeout, value, ignoreQueue);
    }

    /** Adds rooms (or socket ids) to send to. */
    public BroadcastOperator to(String... more) {
        return new BroadcastOperator(namespace, union(rooms, more), except, volatileOnly, timeout, compress,
                ignoreQueue);
    }

    /** Adds socket ids (or rooms) to leave out (python-socketio's {@code skip_sid}). */
    public BroadcastOperator skipSid(String... sids) {
        return new BroadcastOperator(namespace, rooms, union(except, sids), volatileOnly, timeout, compress,
                ignoreQueue);
    }

    /**
     * Sends only to the clients that can take it now (Node's {@code volatile}); see
     * {@link Socket#emitVolatile}.
     */
    public BroadcastOperator asVolatile() {
        return new BroadcastOperator(namespace, rooms, except, true, timeout, compress, ignoreQueue);
    }

    /** How long {@link #emitWithAck} waits for the clients' acknowledgements. */
    public BroadcastOperator timeout(java.time.Duration value) {
        return new BroadcastOperator(namespace, rooms, except, volatileOnly,
                java.util.Objects.requireNonNull(value, "timeout"), compress, ignoreQueue);
    }

    /**
     * Sends an event to every selected client, each asked to acknowledge it (Node's
     * {@code io.timeout(ms).emitWithAck}). The future completes when every client answered or the
     * {@link #timeout} passed, with the answers and the clients that did not answer. Only the
     * clients of this server process take part; for a client anywhere in a cluster use
     * {@link Namespace#emitWithAck(String, java.time.Duration, String, Object...)}.
     *
     * @throws IllegalStateException when no timeout was set
     */
    public java.util.concurrent.CompletableFuture<BroadcastAcks> emitWithAck(String event, Object... args) {
        if (timeout == null) {
            throw new IllegalStateException("set a timeout() before a broadcast with acknowledgements");
        }
        Map<String, java.util.concurrent.CompletableFuture<List<Object>>> pending = new java.util.LinkedHashMap<>();
        for (Socket s : sockets()) {
            pending.put(s.id(), s.emitWithAck(timeout, event, args));
        }
        return java.util.concurrent.CompletableFuture
                .allOf(pending.values().stream().map(f -> f.handle((v, e) -> v))
                        .toArray(java.util.concurrent.CompletableFuture[]::new))
                .thenApply(ignored -> {
                    Map<String, List<Object>> responses = new java.util.LinkedHashMap<>();
                    Set<String> missing = new LinkedHashSet<>();
                    pending.forEach((sid, f) -> {
                        if (f.isDone() && !f.isCompletedExceptionally()) {
                            responses.put(sid, f.join());
                        } else {
                            missing.add(sid);
                        }
                    });
                    return new BroadcastAcks(responses, missing);
                });
    }

    private static Set<String> union(Set<String> a, String[] b) {
        Set<String> out = new LinkedHashSet<>(a);
        for (String s : b) {
            out.add(java.util.Objects.requireNonNull(s, "room"));
        }
        return Set.copyOf(out);
    }

    /**
     * Sends an event to every selected client, through the server's
     * {@link org.jsio.manager.Manager manager}: with a cluster manager the clients of the other
     * server processes receive it too, unless {@link #ignoreQueue()} was called.
     */
    public void emit(String event, Object... args) {
        Namespace.checkEvent(event);
        if (ignoreQueue) {
            deliver(event, args);
            return;
        }
        namespace.server().manager().emit(new org.jsio.manager.Emit(namespace.name(), event,
                java.util.Arrays.asList(args), rooms, except, volatileOnly, compress));
    }

    /** An emitter like this one for a manager's {@link org.jsio.manager.Emit}. */
    static BroadcastOperator of(Namespace namespace, org.jsio.manager.Emit emit) {
        return new BroadcastOperator(namespace, emit.rooms(), emit.skip(), emit.isVolatile(), null, emit.compress(),
                true);
    }

    /** Sends an event to the selected clients of this process; the packet is encoded once for all. */
    void deliver(String event, Object... args) {
        List<Packet> packets = namespace.encodeEvent(event, args, SocketIoPacket.NO_ID);
        if (!compress) {
            packets = packets.stream().map(Packet::uncompressed).collect(java.util.stream.Collectors.toList());
        }
        Collection<Socket> targets = targets();
        // Writing to a few clients here costs less than handing the writes to another thread.
        FanOut fanOut = targets.size() >= FAN_OUT_MIN ? new FanOut() : null;
        try {
            for (Socket s : targets) {
                if (volatileOnly) {
                    s.sendVolatile(packets, fanOut);
                } else {
                    s.sendPackets(packets, fanOut);
                }
            }
        } finally {
            if (fanOut != null) {
                fanOut.close();
            }
        }
    }

    /** Sends a {@code message} event to every selected client. */
    public void send(Object data) {
        emit("message", data);
    }

    /** The selected clients now (a snapshot), connected ones only. */
    public Collection<Socket> sockets() {
        List<Socket> out = new java.util.ArrayList<>();
        for (Socket s : targets()) {
            if (s.isConnected()) {
                out.add(s);
            }
        }
        return out;
    }

    private Collection<Socket> targets() {
        if (rooms.isEmpty() && except.isEmpty()) {
            return namespace.allSockets();
        }
        org.jsio.manager.Manager manager = namespace.server().manager();
        Set<String> skipped = except.isEmpty() ? Set.of() : manager.participants(namespace.name(), except);
        List<Socket> out = new java.util.ArrayList<>();
        if (rooms.isEmpty()) {
            for (Socket s : namespace.allSockets()) {
                if (!skipped.contains(s.id())) {
                    out.add(s);
                }
            }
            return out;
        }
        for (String sid : manager.participants(namespace.name(), rooms)) {
            Socket s = skipped.contains(sid) ? null : namespace.local(sid);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }
}
