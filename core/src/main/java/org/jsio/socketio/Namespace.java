package org.jsio.socketio;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
    private final Map<String, EventHandler> handlers = new ConcurrentHashMap<>();
    private volatile ConnectHandler connectHandler;
    private volatile DisconnectHandler disconnectHandler;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
    private final Map<String, Set<Socket>> rooms = new ConcurrentHashMap<>();
    private final Object roomLock = new Object();

    Namespace(SocketIoServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /** The namespace name, starting with {@code /}. */
    public String name() {
        return name;
    }

    SocketIoServer server() {
        return server;
    }

    // ---------------------------------------------------------------- handlers

    /** Registers the handler of an event (replacing any earlier one). */
    public Namespace on(String event, EventHandler handler) {
        handlers.put(Objects.requireNonNull(event, "event"), Objects.requireNonNull(handler, "handler"));
        return this;
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

    EventHandler handler(String event) {
        return handlers.get(event);
    }

    ConnectHandler connectHandler() {
        return connectHandler;
    }

    DisconnectHandler disconnectHandler() {
        return disconnectHandler;
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
        enterRoom(socket, socket.id());
    }

    void remove(Socket socket) {
        synchronized (roomLock) {
            for (String room : socket.rooms) {
                removeFromRoom(socket, room);
            }
            socket.rooms.clear();
        }
        sockets.remove(socket.id(), socket);
    }

    /** Disconnects a client from this namespace; does nothing for an unknown sid. */
    public void disconnect(String sid) {
        Socket s = sockets.get(sid);
        if (s != null) {
            s.disconnect();
        }
    }

    // ---------------------------------------------------------------- rooms

    /** Puts a client (by socket id) in a room; does nothing for an unknown sid. */
    public void enterRoom(String sid, String room) {
        Socket s = sockets.get(sid);
        if (s != null) {
            enterRoom(s, room);
        }
    }

    /** Takes a client (by socket id) out of a room. */
    public void leaveRoom(String sid, String room) {
        Socket s = sockets.get(sid);
        if (s != null) {
            leaveRoom(s, room);
        }
    }

    /** Takes every client out of a room. */
    public void closeRoom(String room) {
        synchronized (roomLock) {
            Set<Socket> members = rooms.remove(room);
            if (members != null) {
                for (Socket s : members) {
                    s.rooms.remove(room);
                }
            }
        }
    }

    /** The rooms a client is in (empty for an unknown sid). */
    public Set<String> rooms(String sid) {
        Socket s = sockets.get(sid);
        return s == null ? Set.of() : s.rooms();
    }

    /** The socket ids in a room (a snapshot). */
    public Set<String> roomMembers(String room) {
        Set<Socket> members = rooms.get(room);
        if (members == null) {
            return Set.of();
        }
        Set<String> ids = new java.util.LinkedHashSet<>();
        for (Socket s : members) {
            ids.add(s.id());
        }
        return Collections.unmodifiableSet(ids);
    }

    /** How many rooms exist (each client's own room included). */
    public int roomCount() {
        return rooms.size();
    }

    void enterRoom(Socket socket, String room) {
        Objects.requireNonNull(room, "room");
        synchronized (roomLock) {
            if (socket.state() == Socket.State.DISCONNECTED || sockets.get(socket.id()) != socket) {
                return;
            }
            rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(socket);
            socket.rooms.add(room);
        }
    }

    void leaveRoom(Socket socket, String room) {
        synchronized (roomLock) {
            removeFromRoom(socket, room);
            socket.rooms.remove(room);
        }
    }

    private void removeFromRoom(Socket socket, String room) {
        Set<Socket> members = rooms.get(room);
        if (members != null) {
            members.remove(socket);
            if (members.isEmpty()) {
                rooms.remove(room);
            }
        }
    }

    Set<Socket> members(String room) {
        Set<Socket> m = rooms.get(room);
        return m == null ? Set.of() : m;
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

    /** Sends an event to every client of the namespace. */
    public void emit(String event, Object... args) {
        new BroadcastOperator(this, Set.of(), Set.of()).emit(event, args);
    }

    /** Sends a {@code message} event to every client of the namespace. */
    public void send(Object data) {
        emit("message", data);
    }

    List<Packet> encodeEvent(String event, Object[] args, long ackId) {
        return server.encode(PacketType.EVENT, name, ackId, Socket.argsList(event, args));
    }

    @Override
    public String toString() {
        return "Namespace[" + name + "]";
    }
}
