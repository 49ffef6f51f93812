package org.jsio.socketio;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jsio.engine.Packet;

/**
 * A Socket.IO namespace: its handlers, its connected clients and its rooms. Get one with
 * {@link SocketIoServer#of(String)}.
 */
public final class Namespace {
    private final SocketIoServer server;
    private final String name;
    private final Namespace fallback;
    private final Map<String, EventHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, EventHandler> classHandlers = new ConcurrentHashMap<>();
    private volatile ConnectHandler connectHandler;
    private volatile DisconnectHandler disconnectHandler;
    private volatile ConnectHandler classConnectHandler;
    private volatile DisconnectHandler classDisconnectHandler;
    private volatile ErrorHandler errorHandler;
    private final List<ConnectMiddleware> middleware = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<PacketMiddleware> packetMiddleware = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();

    Namespace(SocketIoServer server, String name, Namespace fallback) {
        this.server = server;
        this.name = name;
        this.fallback = fallback;
    }

    /** The namespace name, starting with {@code /}. */
    public String name() {
        return name;
    }

    SocketIoServer server() {
        return server;
    }

    // ---------------------------------------------------------------- handlers

    /**
     * Registers the handler of an event (replacing any earlier one). The event {@code "*"} is the
     * catch-all: it receives events that have no handler of their own, with the event name
     * prepended to the arguments.
     */
    public Namespace on(String event, EventHandler handler) {
        handlers.put(Objects.requireNonNull(event, "event"), Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /**
     * Registers a handler whose first argument is bound to {@code type} with the server's JSON
     * mapper (a JSON object to a record or POJO, for example).
     */
    public <T> Namespace on(String event, Class<T> type, TypedEventHandler<T> handler) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        return on(event, (socket, args) -> handler.handle(socket,
                args.length == 0 ? null : server.jsonMapper().fromTree(args[0], type)));
    }

    /** Registers a middleware that every connection to this namespace passes before connecting. */
    public Namespace use(ConnectMiddleware check) {
        middleware.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /** Registers a middleware that every event of this namespace passes before its handler. */
    public Namespace usePacket(PacketMiddleware check) {
        packetMiddleware.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /** Registers the handler of exceptions thrown by this namespace's event handlers. */
    public Namespace onError(ErrorHandler handler) {
        this.errorHandler = handler;
        return this;
    }

    void classHandler(String event, EventHandler handler) {
        classHandlers.put(event, handler);
    }

    void classConnectHandler(ConnectHandler handler) {
        this.classConnectHandler = handler;
    }

    void classDisconnectHandler(DisconnectHandler handler) {
        this.classDisconnectHandler = handler;
    }

    /** Registers the connect handler; it may refuse clients. */
    public Namespace onConnect(ConnectHandler handler) {
        this.connectHandler = handler;
        return this;
    }

    /** Registers the disconnect handler. */
    public Namespace onDisconnect(DisconnectHandler handler) {
        this.disconnectHandler = handler;
        return this;
    }

    /**
     * The handler of an event: a function handler, else a class-based namespace method, else the
     * catch-all (which gets the event name first), else the same from the catch-all namespace.
     */
    EventHandler resolve(String event) {
        EventHandler h = handlers.get(event);
        if (h == null) {
            h = classHandlers.get(event);
        }
        if (h == null) {
            EventHandler any = handlers.get("*");
            if (any == null) {
                any = classHandlers.get("*");
            }
            if (any != null) {
                EventHandler catchAll = any;
                h = (socket, args) -> catchAll.handle(socket, prepend(event, args));
            }
        }
        if (h == null && fallback != null) {
            h = fallback.resolve(event);
        }
        return h;
    }

    private static Object[] prepend(String first, Object[] rest) {
        Object[] out = new Object[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    ConnectHandler connectHandler() {
        ConnectHandler h = connectHandler != null ? connectHandler : classConnectHandler;
        return h == null && fallback != null ? fallback.connectHandler() : h;
    }

    DisconnectHandler disconnectHandler() {
        DisconnectHandler h = disconnectHandler != null ? disconnectHandler : classDisconnectHandler;
        return h == null && fallback != null ? fallback.disconnectHandler() : h;
    }

    ErrorHandler errorHandler() {
        ErrorHandler h = errorHandler;
        return h == null && fallback != null ? fallback.errorHandler() : h;
    }

    List<ConnectMiddleware> middleware() {
        if (fallback == null) {
            return middleware;
        }
        List<ConnectMiddleware> all = new ArrayList<>(fallback.middleware());
        all.addAll(middleware);
        return all;
    }

    List<PacketMiddleware> packetMiddleware() {
        if (fallback == null) {
            return packetMiddleware;
        }
        List<PacketMiddleware> all = new ArrayList<>(fallback.packetMiddleware());
        all.addAll(packetMiddleware);
        return all;
    }

    // ---------------------------------------------------------------- clients

    /** The connected client with this socket id, or {@code null}. */
    public Socket socket(String sid) {
        Socket s = sockets.get(sid);
        return s != null && s.isConnected() ? s : null;
    }

    /** The clients connected now (a snapshot). */
    public Collection<Socket> sockets() {
        List<Socket> out = new ArrayList<>();
        for (Socket s : sockets.values()) {
            if (s.isConnected()) {
                out.add(s);
            }
        }
        return out;
    }

    void add(Socket socket) {
        sockets.put(socket.id(), socket);
        server.manager().connect(name, socket.id());
    }

    void remove(Socket socket) {
        if (sockets.get(socket.id()) == socket) {
            server.manager().removeClient(name, socket.id());
        }
        sockets.remove(socket.id(), socket);
    }

    /** The user session of a client (python-socketio's {@code get_session}); empty for an unknown sid. */
    public Map<String, Object> getSession(String sid) {
        Socket s = sockets.get(sid);
        return s == null ? new java.util.LinkedHashMap<>() : s.getSession();
    }

    /** Replaces the user session of a client; does nothing for an unknown sid. */
    public void saveSession(String sid, Map<String, Object> session) {
        Socket s = sockets.get(sid);
        if (s != null) {
            s.saveSession(session);
        }
    }

    /**
     * The user session of a client as a map that is saved when closed (python-socketio's
     * {@code with sio.session(sid) as session:}):
     * {@code try (SessionScope session = nsp.session(sid)) { session.put("n", 1); }}.
     */
    public SessionScope session(String sid) {
        return new SessionScope(getSession(sid), values -> saveSession(sid, values));
    }

    /** The transport a connected client uses now, or {@code null}. */
    public org.jsio.engine.EngineOptions.Transport transport(String sid) {
        Socket s = socket(sid);
        return s == null ? null : s.transport();
    }

    /**
     * Disconnects a client from this namespace, through the server's manager: a client of
     * another process of a cluster is disconnected there. Does nothing for an unknown sid.
     */
    public void disconnect(String sid) {
        server.manager().disconnect(name, Objects.requireNonNull(sid, "sid"));
    }

    boolean disconnectLocal(String sid) {
        Socket s = sockets.get(sid);
        if (s == null) {
            return false;
        }
        s.disconnect();
        return true;
    }

    /**
     * Sends an event to one client, wherever it is connected in a cluster, and asks it to
     * acknowledge it (python-socketio's {@code emit(..., to=sid, callback=cb)}). The future
     * completes with the client's answer, fails with a {@link java.util.concurrent.TimeoutException}
     * after {@code timeout}, or is cancelled if the client is unknown (on a single process) or
     * disconnects first.
     */
    public java.util.concurrent.CompletableFuture<List<Object>> emitWithAck(String sid, java.time.Duration timeout,
            String event, Object... args) {
        checkEvent(event);
        return server.manager().emitWithAck(name, Objects.requireNonNull(sid, "sid"),
                Objects.requireNonNull(timeout, "timeout"), event, args);
    }

    /**
     * Like {@link #emitWithAck(String, java.time.Duration, String, Object...)}, waiting for the
     * answer (python-socketio's {@code call(event, data, to=sid, timeout=...)}).
     *
     * @throws java.util.concurrent.TimeoutException when no answer came in time or the client left
     */
    public List<Object> call(String sid, java.time.Duration timeout, String event, Object... args)
            throws java.util.concurrent.TimeoutException, InterruptedException {
        try {
            return emitWithAck(sid, timeout, event, args).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.util.concurrent.TimeoutException) {
                throw (java.util.concurrent.TimeoutException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            throw new java.util.concurrent.TimeoutException("client " + sid + " is gone; no acknowledgement of '"
                    + event + "'");
        }
    }

    // ---------------------------------------------------------------- rooms

    /**
     * Puts a client (by socket id) in a room, through the server's manager: a client of another
     * process of a cluster enters the room there. Does nothing for an unknown sid.
     */
    public void enterRoom(String sid, String room) {
        server.manager().enterRoom(name, Objects.requireNonNull(sid, "sid"), Objects.requireNonNull(room, "room"));
    }

    /** Takes a client (by socket id, wherever it is connected) out of a room. */
    public void leaveRoom(String sid, String room) {
        server.manager().leaveRoom(name, Objects.requireNonNull(sid, "sid"), Objects.requireNonNull(room, "room"));
    }

    /** Takes every client out of a room (on every process of a cluster). */
    public void closeRoom(String room) {
        server.manager().closeRoom(name, Objects.requireNonNull(room, "room"));
    }

    /** The rooms a client of this process is in (empty for an unknown sid). */
    public Set<String> rooms(String sid) {
        return server.manager().rooms(name, sid);
    }

    /** The socket ids of this process in a room (a snapshot). */
    public Set<String> roomMembers(String room) {
        return server.manager().participants(name, List.of(room));
    }

    /** How many rooms have members on this process (each client's own room included). */
    public int roomCount() {
        return server.manager().roomCount(name);
    }

    void enterRoom(Socket socket, String room) {
        server.manager().enterRoom(name, socket.id(), Objects.requireNonNull(room, "room"));
    }

    void leaveRoom(Socket socket, String room) {
        server.manager().leaveRoom(name, socket.id(), Objects.requireNonNull(room, "room"));
    }

    /** The connected-or-connecting client with this socket id on this process, or {@code null}. */
    Socket local(String sid) {
        return sockets.get(sid);
    }

    Collection<Socket> allSockets() {
        return sockets.values();
    }

    // ---------------------------------------------------------------- emitting

    /** An emitter to the clients in these rooms (a socket id is a room too). */
    public BroadcastOperator to(String... rooms) {
        return new BroadcastOperator(this, Set.of(), Set.of()).to(rooms);
    }

    /** An emitter to every client except these socket ids (or rooms). */
    public BroadcastOperator skipSid(String... sids) {
        return new BroadcastOperator(this, Set.of(), Set.of()).skipSid(sids);
    }

    /** An emitter to every client whose {@link BroadcastOperator#emitWithAck} waits this long. */
    public BroadcastOperator timeout(java.time.Duration timeout) {
        return new BroadcastOperator(this, Set.of(), Set.of()).timeout(timeout);
    }

    /** Sends an event to every client of the namespace. */
    public void emit(String event, Object... args) {
        new BroadcastOperator(this, Set.of(), Set.of()).emit(event, args);
    }

    /** Sends a {@code message} event to every client of the namespace. */
    public void send(Object data) {
        emit("message", data);
    }

    static void checkEvent(String event) {
        if (PacketCodec.RESERVED_EVENTS.contains(Objects.requireNonNull(event, "event"))) {
            throw new IllegalArgumentException("'" + event + "' is a reserved event name");
        }
    }

    List<Packet> encodeEvent(String event, Object[] args, long ackId) {
        checkEvent(event);
        return server.encode(PacketType.EVENT, name, ackId, Socket.argsList(event, args));
    }

    @Override
    public String toString() {
        return "Namespace[" + name + "]";
    }
}
