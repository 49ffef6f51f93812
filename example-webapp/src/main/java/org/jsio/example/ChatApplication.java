package org.jsio.example;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jsio.manager.Manager;
import org.jsio.socketio.ConnectionRefusedException;
import org.jsio.socketio.Socket;
import org.jsio.socketio.SocketIoServer;

/**
 * The example chat: nicknames, rooms, a typing indicator, messages acknowledged on delivery, and
 * images shared as binary data. Container-independent: {@link ChatServerFactory} builds it for the
 * WAR's {@code web.xml}; {@link #create()} is the one place its server is built and configured.
 */
public final class ChatApplication {
    /** The acknowledgement of a message sent before joining a room: it went nowhere. */
    static final String NOT_IN_A_ROOM = "not delivered: join a room first";

    private ChatApplication() {
    }

    /**
     * Builds the Socket.IO server with the chat's handlers. With {@code SOCKETIO_REDIS_URL} set (for
     * example {@code redis://127.0.0.1:6379}), it joins the cluster on that Redis, channel
     * {@code socketio}, so that several chat servers behind a sticky load balancer act as one.
     */
    public static SocketIoServer create() {
        SocketIoServer sio = SocketIoServer.builder().clientManager(Manager.fromEnvironment()).build();
        sio.onConnect((socket, auth) -> {
            Object name = auth.get("name");
            if (!(name instanceof String) || ((String) name).isBlank() || ((String) name).length() > 32) {
                throw new ConnectionRefusedException("a nickname of 1 to 32 characters is required");
            }
            socket.saveSession(Map.of("name", ((String) name).strip(), "room", ""));
        });
        sio.on("join", (socket, args) -> {
            String room = String.valueOf(args[0]).strip();
            if (room.isEmpty() || room.length() > 32) {
                return Map.of("error", "a room name of 1 to 32 characters is required");
            }
            leaveCurrentRoom(socket);
            Map<String, Object> session = socket.getSession();
            session.put("room", room);
            socket.saveSession(session);
            socket.enterRoom(room);
            sio.to(room).emit("joined", notice(socket, room));
            return Map.of("room", room, "members", sio.of("/").roomMembers(room).size());
        });
        sio.on("chat", (socket, args) -> {
            // the sender shows its own message at once, and the acknowledgement marks it delivered
            String room = room(socket);
            if (room.isEmpty()) {
                // such as a message buffered by a reconnecting client before it rejoined its room
                return NOT_IN_A_ROOM;
            }
            Map<String, Object> message = notice(socket, room);
            message.put("text", String.valueOf(args[0]));
            socket.to(room).emit("chat", message);
            return "delivered";
        });
        // the page clears the indicator on "stop typing", on a message, or after a few idle seconds
        sio.on("typing", (socket, args) -> {
            relayToRoom(socket, "typing");
            return null;
        });
        sio.on("stop typing", (socket, args) -> {
            relayToRoom(socket, "stop typing");
            return null;
        });
        sio.on("image", (socket, args) -> {
            if (!(args.length > 0 && args[0] instanceof byte[])) {
                return "an image must be sent as binary data";
            }
            if (room(socket).isEmpty()) {
                return NOT_IN_A_ROOM;
            }
            Map<String, Object> message = notice(socket, room(socket));
            message.put("image", args[0]);
            sio.to(room(socket)).emit("image", message);
            return "delivered";
        });
        sio.onDisconnect((socket, reason) -> leaveCurrentRoom(socket));
        return sio;
    }

    private static void relayToRoom(Socket socket, String event) {
        String room = room(socket);
        if (!room.isEmpty()) {
            socket.to(room).emit(event, name(socket));
        }
    }

    private static void leaveCurrentRoom(Socket socket) {
        String room = room(socket);
        if (!room.isEmpty()) {
            socket.leaveRoom(room);
            socket.to(room).emit("left", notice(socket, room));
        }
    }

    private static Map<String, Object> notice(Socket socket, String room) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", name(socket));
        m.put("room", room);
        m.put("at", Instant.now().toString());
        return m;
    }

    private static String name(Socket socket) {
        return String.valueOf(socket.getSession().get("name"));
    }

    private static String room(Socket socket) {
        return String.valueOf(socket.getSession().getOrDefault("room", ""));
    }
}
