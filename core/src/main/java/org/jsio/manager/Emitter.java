package org.jsio.manager;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Emits to the clients of a cluster from a program that serves none (python-socketio's
 * {@code RedisManager(url, write_only=True)}, Node's {@code @socket.io/redis-emitter}): a batch
 * job, a CLI, a service without a servlet container. Immutable and thread-safe, like a
 * broadcast operator: each call returns a new emitter that shares the manager.
 *
 * <pre>{@code
 * try (Emitter emitter = RedisManager.emitter("redis://127.0.0.1:6379")) {
 *     emitter.emit("news", headline);                        // every client, namespace "/"
 *     emitter.of("/chat").to("room1").skipSid(sid).emit("message", "hi");
 *     emitter.disconnect(sid);
 * }
 * }</pre>
 *
 * <p>Emits are queued and published by the manager's thread; {@link #close()} waits a few seconds
 * for the queue to drain, so a program may emit and exit.
 */
public final class Emitter implements AutoCloseable {
    private final PubSubManager manager;
    private final String namespace;
    private final Set<String> rooms;
    private final Set<String> skip;

    /** An emitter on a write-only manager (see {@link RedisManager#emitter(String)}). */
    public Emitter(PubSubManager manager) {
        this(manager, "/", Set.of(), Set.of());
        if (!manager.isWriteOnly()) {
            throw new IllegalArgumentException("an emitter needs a write-only manager");
        }
        manager.start();
    }

    private Emitter(PubSubManager manager, String namespace, Set<String> rooms, Set<String> skip) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.namespace = namespace;
        this.rooms = rooms;
        this.skip = skip;
    }

    /** An emitter to the namespace {@code name} (default {@code /}). */
    public Emitter of(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/': " + name);
        }
        return new Emitter(manager, name, rooms, skip);
    }

    /** Adds rooms (or socket ids) to send to; none means every client of the namespace. */
    public Emitter to(String... more) {
        return new Emitter(manager, namespace, union(rooms, more), skip);
    }

    /** Adds socket ids (or rooms) to leave out (python's {@code skip_sid}). */
    public Emitter skipSid(String... sids) {
        return new Emitter(manager, namespace, rooms, union(skip, sids));
    }

    /** Sends an event to the selected clients of every server process. */
    public void emit(String event, Object... args) {
        manager.emit(new Emit(namespace, event, Arrays.asList(args), rooms, skip, false, true));
    }

    /** Sends a {@code message} event. */
    public void send(Object data) {
        emit("message", data);
    }

    /** Puts a client (wherever it is connected) in a room of this emitter's namespace. */
    public void enterRoom(String sid, String room) {
        manager.enterRoom(namespace, sid, room);
    }

    /** Takes a client out of a room of this emitter's namespace. */
    public void leaveRoom(String sid, String room) {
        manager.leaveRoom(namespace, sid, room);
    }

    /** Takes every client out of a room of this emitter's namespace. */
    public void closeRoom(String room) {
        manager.closeRoom(namespace, room);
    }

    /** Disconnects a client from this emitter's namespace. */
    public void disconnect(String sid) {
        manager.disconnect(namespace, sid);
    }

    /** Waits until everything emitted so far was handed to the broker, at most {@code timeout}. */
    public boolean flush(Duration timeout) {
        return manager.flush(timeout);
    }

    /** The manager behind this emitter (for its metrics). */
    public PubSubManager manager() {
        return manager;
    }

    /** Publishes what is queued (waiting a few seconds at most) and closes the manager. */
    @Override
    public void close() {
        manager.close();
    }

    private static Set<String> union(Set<String> a, String[] b) {
        Set<String> out = new LinkedHashSet<>(a);
        for (String s : b) {
            out.add(Objects.requireNonNull(s, "room"));
        }
        return Set.copyOf(out);
    }
}
