package org.jsio.manager;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Decides where emits, room changes and disconnects go (python-socketio's {@code Manager}). This
 * class is the in-memory manager of a single server process, the default: everything acts on the
 * clients connected here. {@link PubSubManager} extends it to a cluster of processes that share a
 * message broker; {@link RedisManager} is that with Redis.
 *
 * <p>Give one to a server with {@code SocketIoServer.builder().clientManager(manager)}; a manager
 * serves one server. Every method is thread-safe and never blocks.
 */
public class Manager implements AutoCloseable {
    /** The environment variable {@link #fromEnvironment()} reads. */
    public static final String REDIS_URL_VARIABLE = "SOCKETIO_REDIS_URL";

    private volatile ManagedServer server;

    /** The in-memory manager. */
    public Manager() {
    }

    /**
     * A {@link RedisManager} on channel {@code socketio} when the environment variable
     * {@code SOCKETIO_REDIS_URL} holds a Redis URL (such as {@code redis://127.0.0.1:6379}), else
     * the in-memory manager. The one-liner to make a server join a cluster when deployed as one:
     * {@code SocketIoServer.builder().clientManager(Manager.fromEnvironment())}.
     */
    public static Manager fromEnvironment() {
        return fromUrl(System.getenv(REDIS_URL_VARIABLE));
    }

    /**
     * A {@link RedisManager} for a {@code redis://} or {@code rediss://} URL, or the in-memory
     * manager for {@code null} or a blank string.
     *
     * @throws IllegalArgumentException for any other URL
     */
    public static Manager fromUrl(String url) {
        if (url == null || url.isBlank()) {
            return new Manager();
        }
        String u = url.trim();
        if (u.startsWith("redis://") || u.startsWith("rediss://")) {
            return RedisManager.create(u);
        }
        throw new IllegalArgumentException("not a Redis URL (redis:// or rediss://): " + u);
    }

    /**
     * Attaches the manager to its server; called once by the server when it is built.
     *
     * @throws IllegalStateException when the manager already serves a server
     */
    public void initialize(ManagedServer server) {
        Objects.requireNonNull(server, "server");
        synchronized (this) {
            if (this.server != null) {
                throw new IllegalStateException("a manager serves one server");
            }
            this.server = server;
        }
    }

    /** The server this manager serves, or {@code null} before {@link #initialize} (or when write-only). */
    protected final ManagedServer server() {
        return server;
    }

    /** Sends an event to the clients an {@link Emit} selects. */
    public void emit(Emit emit) {
        ManagedServer s = server;
        if (s != null) {
            s.emitLocal(emit);
        }
    }

    /**
     * Sends an event to one client and asks it to acknowledge it. The future completes with the
     * client's answer, fails with a {@link java.util.concurrent.TimeoutException} after
     * {@code timeout}, or is cancelled if the client is unknown or leaves first.
     */
    public CompletableFuture<List<Object>> emitWithAck(String namespace, String sid, Duration timeout,
            String event, Object... args) {
        ManagedServer s = server;
        CompletableFuture<List<Object>> local = s == null ? null
                : s.emitWithAckLocal(namespace, sid, timeout, event, args);
        if (local != null) {
            return local;
        }
        CompletableFuture<List<Object>> unknown = new CompletableFuture<>();
        unknown.cancel(false);
        return unknown;
    }

    /** Puts a client in a room. */
    public void enterRoom(String namespace, String sid, String room) {
        ManagedServer s = server;
        if (s != null) {
            s.enterRoomLocal(namespace, sid, room);
        }
    }

    /** Takes a client out of a room. */
    public void leaveRoom(String namespace, String sid, String room) {
        ManagedServer s = server;
        if (s != null) {
            s.leaveRoomLocal(namespace, sid, room);
        }
    }

    /** Takes every client out of a room. */
    public void closeRoom(String namespace, String room) {
        ManagedServer s = server;
        if (s != null) {
            s.closeRoomLocal(namespace, room);
        }
    }

    /** Disconnects a client from a namespace. */
    public void disconnect(String namespace, String sid) {
        ManagedServer s = server;
        if (s != null) {
            s.disconnectLocal(namespace, sid);
        }
    }

    /** Acknowledgements this manager waits for from clients of other processes (0 here). */
    public int pendingRemoteAcks() {
        return 0;
    }

    /** Releases what the manager holds; the server calls it when it closes. */
    @Override
    public void close() {
    }
}
