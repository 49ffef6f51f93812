package org.jsio.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jsio.socketio.Ack;
import org.jsio.socketio.ConnectionRefusedException;
import org.jsio.socketio.Socket;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.SocketIoTestClient.Received;
import org.junit.jupiter.api.Test;

/** The in-process test client against a real {@link SocketIoServer}, as an application's tests use it. */
class SocketIoTestClientTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void connectHandlerSeesAuthQueryHeadersAndCookies() throws Exception {
        CompletableFuture<Map<String, Object>> seen = new CompletableFuture<>();
        try (SocketIoServer server = SocketIoServer.create()) {
            server.onConnect((socket, auth) -> seen.complete(Map.of(
                    "sid", socket.id(),
                    "room", socket.handshake().queryParameter("room"),
                    "token", socket.handshake().header("X-Token"),
                    "cookie", socket.handshake().cookie("session"),
                    "address", socket.handshake().remoteAddress(),
                    "auth", auth)));
            try (SocketIoTestClient client = SocketIoTestClient.builder(server)
                    .auth(Map.of("user", "ada"))
                    .query("room", "blue")
                    .header("X-Token", "t-1")
                    .header("Cookie", "session=s-42; other=1")
                    .connect()) {
                assertTrue(client.isConnected());
                assertNull(client.connectError());
                Map<String, Object> s = await(seen);
                assertEquals(client.sid(), s.get("sid"));
                assertEquals(client.sid("/"), s.get("sid"));
                assertEquals("blue", s.get("room"));
                assertEquals("t-1", s.get("token"));
                assertEquals("s-42", s.get("cookie"));
                assertEquals("127.0.0.1", s.get("address"));
                assertEquals(Map.of("user", "ada"), s.get("auth"));
            }
        }
    }

    @Test
    void refusedConnectionIsReportedThroughConnectError() throws Exception {
        try (SocketIoServer server = SocketIoServer.create()) {
            server.onConnect((socket, auth) -> {
                throw new ConnectionRefusedException("nope", Map.of("why", "x"));
            });
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                assertFalse(client.isConnected());
                assertNull(client.sid());
                assertEquals(Map.of("message", "nope", "data", Map.of("why", "x")), client.connectError());
                assertEquals(client.connectError(), client.connectError("/"));
                assertThrows(IllegalStateException.class, () -> client.emit("anything"));

                assertFalse(client.connect("/nowhere"));
                assertEquals("Invalid namespace", client.connectError("/nowhere").get("message"));
            }
        }
    }

    @Test
    void eventsTravelBothWays() throws Exception {
        CompletableFuture<List<Object>> note = new CompletableFuture<>();
        CompletableFuture<Object> message = new CompletableFuture<>();
        try (SocketIoServer server = SocketIoServer.create()) {
            server.on("note", (socket, args) -> note.complete(List.of(args)));
            server.on("message", (socket, args) -> message.complete(args[0]));
            server.on("shout", (socket, args) -> {
                socket.emit("echo", String.valueOf(args[0]).toUpperCase(java.util.Locale.ROOT), 1);
                return null;
            });
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                client.emit("note", "hello", 42, Map.of("nested", List.of(true)));
                assertEquals(List.of("hello", 42, Map.of("nested", List.of(true))), await(note));

                client.send("plain");
                assertEquals("plain", await(message));

                client.emit("shout", "hey");
                assertEquals(new Received("echo", List.of("HEY", 1), "/"), client.awaitEvent("echo", WAIT));

                server.emit("broadcast", "to everyone");
                Received broadcast = client.awaitEvent("broadcast", WAIT);
                assertEquals(List.of("to everyone"), broadcast.args());
                assertEquals("/", broadcast.namespace());
                assertEquals(List.of(), client.getReceived(), "awaitEvent takes the events it returns");
                assertThrows(IllegalArgumentException.class, () -> client.emit("disconnect"));
                assertTrue(client.isConnected());
            }
        }
    }

    @Test
    void getReceivedReturnsEverythingSoFarThenClears() throws Exception {
        try (SocketIoServer server = SocketIoServer.create()) {
            server.on("chat", (socket, args) -> {
                socket.emit("reply", args[0]);
                socket.emit("count", 1, 2);
                return "ok";
            });
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                // The acknowledgement is sent after the handler's emits, so they are in by now.
                assertEquals(List.of("ok"), client.emitWithAck("chat", "hi"));
                assertEquals(List.of(
                        new Received("reply", List.of("hi"), "/"),
                        new Received("count", List.of(1, 2), "/")), client.getReceived());
                assertEquals(List.of(), client.getReceived());

                client.emitWithAck("chat", "again");
                List<Received> second = client.getReceived();
                assertEquals(2, second.size());
                assertEquals(List.of("again"), second.get(0).args());
                assertEquals(List.of(), client.getReceived("/other"));
            }
        }
    }

    @Test
    void emitWithAckReturnsWhatTheHandlerReturned() throws Exception {
        try (SocketIoServer server = SocketIoServer.create()) {
            server.on("sum", (socket, args) -> Ack.of((Integer) args[0] + (Integer) args[1], "done"));
            server.on("one", (socket, args) -> Map.of("k", "v"));
            server.on("none", (socket, args) -> null);
            server.on("never", (socket, args) -> new CompletableFuture<>());
            try (SocketIoTestClient client = SocketIoTestClient.builder(server)
                    .ackTimeout(Duration.ofMillis(300))
                    .connect()) {
                assertEquals(List.of(5, "done"), client.emitWithAck("sum", 2, 3));
                assertEquals(List.of(Map.of("k", "v")), client.emitWithAck("one"));
                assertEquals(List.of(), client.emitWithAck("none"));
                assertThrows(TimeoutException.class, () -> client.emitWithAck("never"));
                assertTrue(client.isConnected(), "a missing acknowledgement does not break the connection");
                assertEquals(List.of(1, "done"), client.emitWithAck("sum", 0, 1));
            }
        }
    }

    @Test
    void binaryDataRoundTripsNestedAnywhere() throws Exception {
        try (SocketIoServer server = SocketIoServer.create()) {
            server.on("upload", (socket, args) -> {
                socket.emit("download", args[0], new byte[] {9});
                return Ack.of(args);
            });
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                Map<String, Object> payload = Map.of(
                        "name", "file",
                        "data", new byte[] {1, 2, 3},
                        "parts", List.of(new byte[] {4}, "text", new byte[0]));
                List<Object> ack = client.emitWithAck("upload", payload, new byte[] {(byte) 0xff});

                assertEquals(2, ack.size());
                assertNested(ack.get(0));
                assertArrayEquals(new byte[] {(byte) 0xff}, (byte[]) ack.get(1));

                Received download = client.awaitEvent("download", WAIT);
                assertNested(download.args().get(0));
                assertArrayEquals(new byte[] {9}, (byte[]) download.args().get(1));
            }
        }
    }

    private static void assertNested(Object value) {
        Map<?, ?> map = (Map<?, ?>) value;
        assertEquals("file", map.get("name"));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) map.get("data"));
        List<?> parts = (List<?>) map.get("parts");
        assertArrayEquals(new byte[] {4}, (byte[]) parts.get(0));
        assertEquals("text", parts.get(1));
        assertArrayEquals(new byte[0], (byte[]) parts.get(2));
    }

    @Test
    void serverEmitWithAckIsAnsweredByTheResponder() throws Exception {
        CompletableFuture<Socket> connected = new CompletableFuture<>();
        try (SocketIoServer server = SocketIoServer.create()) {
            server.onConnect((socket, auth) -> connected.complete(socket));
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                client.onAck("question", args -> List.of("answer to " + args.get(0), 42, new byte[] {7}));
                Socket socket = await(connected);

                List<Object> answer = await(socket.emitWithAck(WAIT, "question", "life"));
                assertEquals("answer to life", answer.get(0));
                assertEquals(42, answer.get(1));
                assertArrayEquals(new byte[] {7}, (byte[]) answer.get(2));
                assertEquals(List.of(new Received("question", List.of("life"), "/")), client.getReceived());

                assertEquals(List.of(), await(socket.emitWithAck(WAIT, "unanswered", 1)),
                        "without a responder the client acknowledges with no arguments");
                assertEquals(List.of("answer to blocking", 42), socket.call("question", "blocking").subList(0, 2));
            }
        }
    }

    @Test
    void roomBroadcastReachesEveryMemberAndNobodyElse() throws Exception {
        try (SocketIoServer server = SocketIoServer.create()) {
            server.on("join", (socket, args) -> {
                socket.enterRoom((String) args[0]);
                return null;
            });
            try (SocketIoTestClient alice = SocketIoTestClient.connect(server);
                    SocketIoTestClient bob = SocketIoTestClient.connect(server);
                    SocketIoTestClient carol = SocketIoTestClient.connect(server)) {
                alice.emitWithAck("join", "red");
                bob.emitWithAck("join", "red");
                carol.emitWithAck("join", "blue");

                server.to("red").emit("news", "for red");
                server.emit("after", "for all");

                assertEquals(List.of("for red"), alice.awaitEvent("news", WAIT).args());
                assertEquals(List.of("for red"), bob.awaitEvent("news", WAIT).args());
                // Sends to one client are ordered: had carol got "news", it would precede "after".
                carol.awaitEvent("after", WAIT);
                assertEquals(List.of(), carol.getReceived());
            }
        }
    }

    @Test
    void namespacesAreMultiplexedOverOneConnection() throws Exception {
        CompletableFuture<Map<String, Object>> chatAuth = new CompletableFuture<>();
        CompletableFuture<String> chatLeft = new CompletableFuture<>();
        try (SocketIoServer server = SocketIoServer.create()) {
            server.on("hello", (socket, args) -> "main:" + args[0]);
            server.of("/chat")
                    .onConnect((socket, auth) -> chatAuth.complete(auth))
                    .onDisconnect((socket, reason) -> chatLeft.complete(reason.text()))
                    .on("hello", (socket, args) -> "chat:" + args[0]);
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                assertTrue(client.connect("/chat", Map.of("key", "k")));
                assertEquals(Map.of("key", "k"), await(chatAuth));
                assertTrue(client.isConnected("/chat"));
                assertNotNull(client.sid("/chat"));
                assertNotEquals(client.sid("/"), client.sid("/chat"));
                assertTrue(client.connect("/chat"), "connecting again to a joined namespace is a no-op");

                assertEquals(List.of("chat:x"), client.emitWithAckTo("/chat", "hello", "x"));
                assertEquals(List.of("main:x"), client.emitWithAck("hello", "x"));

                server.of("/chat").emit("news", 1);
                server.emit("news", 2);
                assertEquals(List.of(1), client.awaitEvent("/chat", "news", WAIT).args());
                assertEquals(List.of(2), client.awaitEvent("news", WAIT).args());

                client.disconnect("/chat");
                assertFalse(client.isConnected("/chat"));
                assertNull(client.sid("/chat"));
                assertTrue(client.isConnected("/"));
                assertEquals("client disconnect", await(chatLeft));
                assertThrows(IllegalStateException.class, () -> client.emitTo("/chat", "hello", "y"));
                assertEquals(List.of("main:y"), client.emitWithAck("hello", "y"));
            }
        }
    }

    @Test
    void builderNamespaceIsTheDefaultNamespace() throws Exception {
        try (SocketIoServer server = SocketIoServer.create()) {
            server.of("/chat").on("hello", (socket, args) -> {
                socket.emit("welcome", socket.namespace());
                return "chat";
            });
            try (SocketIoTestClient client = SocketIoTestClient.builder(server).namespace("/chat").connect()) {
                assertTrue(client.isConnected());
                assertFalse(client.isConnected("/"));
                assertEquals(List.of("chat"), client.emitWithAck("hello"));
                assertEquals(List.of(new Received("welcome", List.of("/chat"), "/chat")), client.getReceived());
            }
        }
    }

    @Test
    void serverSideDisconnectIsObserved() throws Exception {
        CompletableFuture<String> reason = new CompletableFuture<>();
        try (SocketIoServer server = SocketIoServer.create()) {
            server.on("kick me", (socket, args) -> {
                socket.disconnect();
                return null;
            });
            server.onDisconnect((socket, why) -> reason.complete(why.text()));
            server.of("/chat");
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                assertTrue(client.connect("/chat"));
                client.emit("kick me");
                client.awaitDisconnect(WAIT);
                assertFalse(client.isConnected());
                assertTrue(client.isConnected("/chat"), "only the namespace was left");
                assertEquals("server disconnect", await(reason));

                assertTrue(client.connect("/"), "a namespace can be joined again");
            }
        }
    }

    @Test
    void closedConnectionDisconnectsEveryNamespace() throws Exception {
        CompletableFuture<Socket> connected = new CompletableFuture<>();
        try (SocketIoServer server = SocketIoServer.create()) {
            server.onConnect((socket, auth) -> connected.complete(socket));
            server.of("/chat");
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                assertTrue(client.connect("/chat"));
                await(connected).disconnect(true);
                client.awaitDisconnect(WAIT);
                client.awaitDisconnect("/chat", WAIT);
                assertFalse(client.isConnected("/chat"));
                assertThrows(IllegalStateException.class, () -> client.awaitEvent("anything", WAIT));
                assertThrows(IllegalStateException.class, () -> client.connect("/chat"));
            }
        }
    }

    @Test
    void clientDisconnectIsObservedByTheServer() throws Exception {
        CompletableFuture<String> reason = new CompletableFuture<>();
        CompletableFuture<String> leftSid = new CompletableFuture<>();
        try (SocketIoServer server = SocketIoServer.create()) {
            server.onDisconnect((socket, why) -> {
                leftSid.complete(socket.id());
                reason.complete(why.text());
            });
            SocketIoTestClient client = SocketIoTestClient.connect(server);
            String sid = client.sid();
            client.disconnect();
            assertFalse(client.isConnected());
            assertEquals("client disconnect", await(reason));
            assertEquals(sid, await(leftSid));
            assertThrows(IllegalStateException.class, () -> client.emit("late"));
            client.close();
        }
    }

    @Test
    void serverShutdownClosesTheClient() throws Exception {
        SocketIoServer server = SocketIoServer.create();
        try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
            server.close();
            client.awaitDisconnect(WAIT);
            assertFalse(client.isConnected());
            assertThrows(IllegalStateException.class, () -> SocketIoTestClient.connect(server));
        }
    }

    @Test
    void heartbeatsAreAnswered() throws Exception {
        // Without pongs the session would end one interval plus one timeout (1.05 s) after it
        // opened; the event comes after some fifty pings, each answered within a second.
        try (SocketIoServer server = SocketIoServer.builder()
                .pingInterval(Duration.ofMillis(50))
                .pingTimeout(Duration.ofMillis(1000))
                .build()) {
            server.onConnect((socket, auth) -> server.scheduler().schedule(
                    () -> socket.emit("still here"), 2500, TimeUnit.MILLISECONDS));
            try (SocketIoTestClient client = SocketIoTestClient.connect(server)) {
                client.awaitEvent("still here", WAIT);
                assertTrue(client.isConnected());
            }
        }
    }
}
