package org.jsio.testing.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.jsio.socketio.Ack;
import org.jsio.socketio.ConnectionRefusedException;
import org.jsio.socketio.Namespace;
import org.jsio.socketio.SocketIoServer;

/**
 * The server side that the client interoperability tests talk to. Every handler answers in a way
 * a client can observe, so each feature is checked from the client's side of the wire.
 */
final class TestApplication {
    /** What the server saw: "connect:/ns:sid", "disconnect:/ns:sid:reason", ... */
    final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    final SocketIoServer server;

    TestApplication() {
        server = SocketIoServer.builder()
                .pingInterval(Duration.ofSeconds(2))
                .pingTimeout(Duration.ofSeconds(5))
                .build();
        configure(server.of("/"));
        configure(server.of("/custom"));
    }

    private void configure(Namespace nsp) {
        nsp.onConnect((socket, auth) -> {
            if ("bad".equals(auth.get("token"))) {
                throw new ConnectionRefusedException("not authorized", Map.of("reason", "bad token", "code", 4001));
            }
            Map<String, Object> hello = new LinkedHashMap<>();
            hello.put("sid", socket.id());
            hello.put("namespace", socket.namespace());
            hello.put("auth", auth);
            hello.put("query", socket.handshake().queryParameter("who"));
            hello.put("remote", socket.handshake().remoteAddress());
            socket.emit("welcome", hello);
            log.add("connect:" + socket.namespace() + ":" + socket.id());
        });
        nsp.onDisconnect((socket, reason) ->
                log.add("disconnect:" + socket.namespace() + ":" + socket.id() + ":" + reason.text()));
        // acknowledges with exactly the received arguments (binary included)
        nsp.on("echo", (socket, args) -> Ack.of(args));
        // sends the arguments back as an event
        nsp.on("emit-back", (socket, args) -> {
            socket.emit("echoed", args);
            return null;
        });
        nsp.on("join", (socket, args) -> {
            socket.enterRoom((String) args[0]);
            return new ArrayList<>(socket.rooms());
        });
        nsp.on("leave", (socket, args) -> {
            socket.leaveRoom((String) args[0]);
            return new ArrayList<>(socket.rooms());
        });
        // to-room(room, payload): everyone in the room but the sender gets "room-message"
        nsp.on("to-room", (socket, args) -> {
            socket.to((String) args[0]).emit("room-message", args[1]);
            return "sent";
        });
        // to-room-all(room, payload): everyone in the room, sender included
        nsp.on("to-room-all", (socket, args) -> {
            nsp.to((String) args[0]).emit("room-message", args[1]);
            return "sent";
        });
        nsp.on("broadcast", (socket, args) -> {
            nsp.emit("broadcasted", args);
            return null;
        });
        // burst(room, n): n broadcasts of "burst" i to the room, each followed by "burst" "to-i"
        // sent to every member on its own
        nsp.on("burst", (socket, args) -> {
            String room = (String) args[0];
            int n = ((Number) args[1]).intValue();
            for (int i = 0; i < n; i++) {
                nsp.to(room).emit("burst", i);
                for (org.jsio.socketio.Socket member : nsp.to(room).sockets()) {
                    member.emit("burst", "to-" + i);
                }
            }
            return "sent";
        });
        // ask(args...): the server emits "question" with an ack; the client's answer is acked back
        nsp.on("ask", (socket, args) -> socket.emitWithAck(Duration.ofSeconds(10), "question", args)
                .thenApply(answer -> Ack.of(answer.toArray())));
        nsp.on("disconnect-me", (socket, args) -> {
            socket.disconnect();
            return null;
        });
        nsp.on("whoami", (socket, args) -> {
            Map<String, Object> me = new LinkedHashMap<>();
            me.put("sid", socket.id());
            me.put("transport", socket.transport().wireName());
            me.put("rooms", new ArrayList<>(socket.rooms()));
            me.put("thread", Thread.currentThread().getName());
            return me;
        });
    }

    /** Waits for a line in the server's log that starts with {@code prefix}. */
    String awaitLog(String prefix) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? log.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no server log line starting with '" + prefix + "'; saw " + seen);
            }
            if (line.startsWith(prefix)) {
                log.addAll(seen);
                return line;
            }
            seen.add(line);
        }
    }
}
