package org.jsio.manager;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the rooms of the clients connected to this process and decides where emits, room changes
 * and disconnects go (python-socketio's {@code Manager}). This class is the in-memory manager of a
 * single server process, the default: everything acts on the clients connected here.
 * {@link PubSubManager} extends it to a cluster of processes that share a message broker;
 * {@link RedisManager} is that with Redis.
 *
 * <p>The room registry is python-socketio's {@code BaseManager}: for each namespace, the rooms and
 * the socket ids in them, a client's own room named by its socket id included. The server
 * registers a client with {@link #connect} when it joins a namespace and removes it with
 * {@link #removeClient} when it leaves; a room change for a client that is not registered does
 * nothing, so a client that has left never re-enters a room.
 *
 * <p>Give one to a server with {@code SocketIoServer.builder().clientManager(manager)}; a manager
 * serves one server. Every method is thread-safe and never blocks, except {@link #close()}.
 */
public class Manager implements AutoCloseable {
    /** The environment variable {@link #fromEnvironment()} reads. */
    public static final String REDIS_URL_VARIABLE = "SOCKETIO_REDIS_URL";

    private volatile ManagedServer server;
    private final Object roomLock = new Object();
    /** namespace -> room -> socket ids; a room exists while it has members. */
    private final Map<String, Map<String, Set<String>>> rooms = new ConcurrentHashMap<>();
    /** namespace -> socket id -> rooms; a socket id is here from connect to removeClient. */
    private final Map<String, Map<String, Set<String>>> clients = new ConcurrentHashMap<>();

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
     * @throws IllegalStateException for a Redis URL when jedis is not on the class path
     */
    public static Manager fromUrl(String url) {
        if (url == null || url.isBlank()) {
            return new Manager();
        }
        String u = url.trim();
        if (u.startsWith("redis://") || u.startsWith("rediss://")) {
            try {
                Class.forName("redis.clients.jedis.RedisClient", false, Manager.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("a Redis URL was given but jedis is not on the class path: add the "
                        + "dependency redis.clients:jedis (8.0.2) to use RedisManager", e);
            }
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
        basicEnterRoom(namespace, sid, room);
    }

    /** Takes a client out of a room. */
    public void leaveRoom(String namespace, String sid, String room) {
        basicLeaveRoom(namespace, sid, room);
    }

    /** Takes every client out of a room. */
    public void closeRoom(String namespace, String room) {
        basicCloseRoom(namespace, room);
    }

    // ---------------------------------------------------------------- the room registry of this process

    /** Registers a client that joined a namespace on this process; it enters its own room. */
    public void connect(String namespace, String sid) {
        synchronized (roomLock) {
            clients.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>())
                    .putIfAbsent(sid, ConcurrentHashMap.newKeySet(1));
            addToRoom(namespace, sid, sid);
        }
    }

    /** Forgets a client of this process that left a namespace: it leaves every room. */
    public void removeClient(String namespace, String sid) {
        synchronized (roomLock) {
            Map<String, Set<String>> ns = clients.get(namespace);
            Set<String> joined = ns == null ? null : ns.remove(sid);
            if (joined != null) {
                for (String room : joined) {
                    removeFromRoom(namespace, sid, room);
                }
            }
            if (ns != null && ns.isEmpty()) {
                clients.remove(namespace, ns);
            }
        }
    }

    /** Whether the client is connected to this process (registered and not removed). */
    public boolean isConnected(String namespace, String sid) {
        Map<String, Set<String>> ns = clients.get(namespace);
        return ns != null && ns.containsKey(sid);
    }

    /** The rooms a client of this process is in, its own room included (empty when unknown). */
    public Set<String> rooms(String namespace, String sid) {
        Map<String, Set<String>> ns = clients.get(namespace);
        Set<String> joined = ns == null ? null : ns.get(sid);
        return joined == null ? Set.of() : Set.copyOf(joined);
    }

    /** The socket ids of this process in any of these rooms (a snapshot, no duplicates). */
    public Set<String> participants(String namespace, Collection<String> roomNames) {
        Map<String, Set<String>> ns = rooms.get(namespace);
        if (ns == null) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String r : roomNames) {
            Set<String> members = ns.get(r);
            if (members != null) {
                out.addAll(members);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** How many rooms of a namespace have members on this process (clients' own rooms included). */
    public int roomCount(String namespace) {
        Map<String, Set<String>> ns = rooms.get(namespace);
        return ns == null ? 0 : ns.size();
    }

    /** Puts a client of this process in a room; false when the client is not registered here. */
    protected final boolean basicEnterRoom(String namespace, String sid, String room) {
        Objects.requireNonNull(room, "room");
        synchronized (roomLock) {
            if (!isConnected(namespace, sid)) {
                return false;
            }
            addToRoom(namespace, sid, room);
            return true;
        }
    }

    /** Takes a client of this process out of a room; false when the client is not registered here. */
    protected final boolean basicLeaveRoom(String namespace, String sid, String room) {
        synchronized (roomLock) {
            Map<String, Set<String>> ns = clients.get(namespace);
            Set<String> joined = ns == null ? null : ns.get(sid);
            if (joined == null) {
                return false;
            }
            joined.remove(room);
            removeFromRoom(namespace, sid, room);
            return true;
        }
    }

    /** Takes every client of this process out of a room. */
    protected final void basicCloseRoom(String namespace, String room) {
        synchronized (roomLock) {
            Map<String, Set<String>> ns = rooms.get(namespace);
            Set<String> members = ns == null ? null : ns.remove(room);
            if (members != null) {
                Map<String, Set<String>> known = clients.get(namespace);
                for (String sid : members) {
                    Set<String> joined = known == null ? null : known.get(sid);
                    if (joined != null) {
                        joined.remove(room);
                    }
                }
            }
            if (ns != null && ns.isEmpty()) {
                rooms.remove(namespace, ns);
            }
        }
    }

    private void addToRoom(String namespace, String sid, String room) {
        rooms.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet(1)).add(sid);
        clients.get(namespace).get(sid).add(room);
    }

    private void removeFromRoom(String namespace, String sid, String room) {
        Map<String, Set<String>> ns = rooms.get(namespace);
        Set<String> members = ns == null ? null : ns.get(room);
        if (members != null) {
            members.remove(sid);
            if (members.isEmpty()) {
                ns.remove(room);
            }
        }
        if (ns != null && ns.isEmpty()) {
            rooms.remove(namespace, ns);
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
