package org.jsio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jsio.engine.DisconnectReason;
import org.jsio.engine.EngineOptions;
import org.jsio.socketio.Ack;
import org.jsio.socketio.BroadcastAcks;
import org.jsio.socketio.ConnectionRefusedException;
import org.jsio.socketio.On;
import org.jsio.socketio.SessionScope;
import org.jsio.socketio.Socket;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.SocketIoTestClient.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The python-socketio server API (and what Node.js users expect), seen from a client. */
class ServerApiTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private SocketIoServer server(SocketIoServer.Builder builder) {
        SocketIoServer s = builder.build();
        closeables.add(s);
        return s;
    }

    private SocketIoServer server() {
        return server(SocketIoServer.builder());
    }

    private SocketIoTestClient client(SocketIoServer server) {
        SocketIoTestClient c = SocketIoTestClient.connect(server);
        closeables.add(c);
        return c;
    }

    private SocketIoTestClient client(SocketIoServer server, String namespace) {
        SocketIoTestClient c = SocketIoTestClient.builder(server).namespace(namespace).connect();
        closeables.add(c);
        return c;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void catchAllEventGetsTheNameFirstAndSpecificHandlersWin() throws Exception {
        SocketIoServer sio = server();
        sio.on("known", (socket, args) -> "specific");
        sio.on("*", (socket, args) -> Ack.of("any", args[0], args.length - 1));
        SocketIoTestClient c = client(sio);
        assertEquals(List.of("specific"), c.emitWithAck("known", 1));
        assertEquals(List.of("any", "other", 2), c.emitWithAck("other", 1, 2));
    }

    @Test
    void catchAllNamespaceServesEveryNamespace() throws Exception {
        SocketIoServer sio = server();
        BlockingQueue<String> connected = new LinkedBlockingQueue<>();
        sio.of("*").onConnect((socket, auth) -> connected.add(socket.namespace()));
        sio.of("*").on("where", (socket, args) -> socket.namespace());
        SocketIoTestClient c = client(sio, "/anything");
        assertEquals("/anything", connected.poll(5, TimeUnit.SECONDS));
        assertEquals(List.of("/anything"), c.emitWithAck("where"));
        assertTrue(c.connect("/other"));
        assertEquals(List.of("/other"), c.emitWithAckTo("/other", "where"));
    }

    @Test
    void namespacesOptionListsTheAcceptedOnes() {
        SocketIoServer sio = server(SocketIoServer.builder().namespaces("/a"));
        SocketIoTestClient c = client(sio);
        assertTrue(c.connect("/a"));
        assertFalse(c.connect("/b"));
        assertEquals("Invalid namespace", c.connectError("/b").get("message"));
    }

    /** A class-based namespace. */
    public static final class ChatNamespace {
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();

        public void onConnect(Socket socket, Map<String, Object> auth) {
            log.add("connect " + auth.get("name"));
        }

        public void onDisconnect(Socket socket, DisconnectReason reason) {
            log.add("disconnect " + reason.text());
        }

        public Object onGreet(Socket socket, String name) {
            return "hello " + name;
        }

        @On("sum numbers")
        public int sum(Socket socket, int a, int b) {
            return a + b;
        }

        public Object onShadowed(Socket socket, Object... args) {
            return "method";
        }

        public Object onPoint(Socket socket, Point point) {
            return point.x() + point.y();
        }
    }

    /** A payload type bound from a JSON object. */
    public record Point(int x, int y) {
    }

    @Test
    void classBasedNamespaceDispatchesMethodsAndFunctionHandlersWin() throws Exception {
        SocketIoServer sio = server();
        ChatNamespace handlers = new ChatNamespace();
        sio.registerNamespace("/chat", handlers);
        sio.of("/chat").on("shadowed", (socket, args) -> "function");
        SocketIoTestClient c = SocketIoTestClient.builder(sio).namespace("/chat").auth(Map.of("name", "ann")).connect();
        closeables.add(c);
        assertEquals("connect ann", handlers.log.poll(5, TimeUnit.SECONDS));
        assertEquals(List.of("hello bob"), c.emitWithAck("greet", "bob"));
        assertEquals(List.of(5), c.emitWithAck("sum numbers", 2, 3));
        assertEquals(List.of("function"), c.emitWithAck("shadowed"));
        assertEquals(List.of(7), c.emitWithAck("point", Map.of("x", 3, "y", 4)));
        c.disconnect("/chat");
        assertEquals("disconnect client disconnect", handlers.log.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void typedHandlerBindsThePayload() throws Exception {
        SocketIoServer sio = server();
        sio.of("/").on("point", Point.class, (socket, p) -> Ack.of(p.x() * p.y(), p));
        SocketIoTestClient c = client(sio);
        List<Object> ack = c.emitWithAck("point", Map.of("x", 6, "y", 7));
        assertEquals(42, ack.get(0));
        assertEquals(Map.of("x", 6, "y", 7), ack.get(1));
    }

    @Test
    void returnValuesBecomeTheAcknowledgement() throws Exception {
        SocketIoServer sio = server();
        sio.on("none", (socket, args) -> null);
        sio.on("one", (socket, args) -> List.of(1, 2));
        sio.on("many", (socket, args) -> Ack.of("a", null, 3));
        sio.on("later", (socket, args) -> CompletableFuture.supplyAsync(() -> "done"));
        SocketIoTestClient c = client(sio);
        assertEquals(List.of(), c.emitWithAck("none"));
        assertEquals(List.of(List.of(1, 2)), c.emitWithAck("one"));
        assertEquals(java.util.Arrays.asList("a", null, 3), c.emitWithAck("many"));
        assertEquals(List.of("done"), c.emitWithAck("later"));
    }

    @Test
    void refusingWithDataAndAlwaysConnect() throws Exception {
        SocketIoServer strict = server();
        strict.onConnect((socket, auth) -> {
            throw new ConnectionRefusedException("go away", Map.of("code", 7));
        });
        SocketIoTestClient c = client(strict);
        assertFalse(c.connect("/"));
        assertEquals(Map.of("message", "go away", "data", Map.of("code", 7)), c.connectError("/"));

        SocketIoServer lenient = server(SocketIoServer.builder().alwaysConnect(true));
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        lenient.onConnect((socket, auth) -> {
            seen.add("connect");
            throw new ConnectionRefusedException("changed my mind");
        });
        lenient.onDisconnect((socket, reason) -> seen.add("disconnect"));
        SocketIoTestClient d = SocketIoTestClient.builder(lenient).connectTimeout(WAIT).connect();
        closeables.add(d);
        d.awaitDisconnect("/", WAIT);
        assertFalse(d.isConnected("/"));
        assertNull(d.connectError("/"), "with alwaysConnect a refusal is a disconnect, not a connection error");
        assertEquals("connect", seen.poll(5, TimeUnit.SECONDS));
        assertEquals(0, lenient.stats().sockets());
    }

    @Test
    void middlewareRefusesConnectionsAndStopsEvents() throws Exception {
        SocketIoServer sio = server();
        sio.use((socket, auth) -> {
            if (!"secret".equals(auth.get("token"))) {
                throw new ConnectionRefusedException("unauthorized", Map.of("hint", "token"));
            }
        });
        BlockingQueue<String> errors = new LinkedBlockingQueue<>();
        sio.of("/").usePacket((socket, event, args) -> {
            if (event.startsWith("admin:")) {
                throw new SecurityException("not an admin");
            }
        });
        sio.of("/").onError((socket, event, args, e) -> errors.add(event + ": " + e.getMessage()));
        sio.on("admin:reset", (socket, args) -> "reset");
        sio.on("hello", (socket, args) -> "hi");

        SocketIoTestClient refused = client(sio);
        assertFalse(refused.isConnected("/"));
        assertEquals(Map.of("message", "unauthorized", "data", Map.of("hint", "token")), refused.connectError("/"));

        SocketIoTestClient ok = SocketIoTestClient.builder(sio).auth(Map.of("token", "secret")).connect();
        closeables.add(ok);
        ok.emit("admin:reset");
        assertEquals("admin:reset: not an admin", errors.poll(5, TimeUnit.SECONDS));
        assertEquals(List.of("hi"), ok.emitWithAck("hello"));
    }

    @Test
    void handlerErrorsGoToTheErrorHandlersAndTheClientCarriesOn() throws Exception {
        SocketIoServer sio = server();
        BlockingQueue<String> errors = new LinkedBlockingQueue<>();
        sio.on("boom", (socket, args) -> {
            throw new IllegalStateException("boom " + args[0]);
        });
        sio.of("/own").on("boom", (socket, args) -> {
            throw new IllegalArgumentException("own");
        });
        sio.of("/own").onError((socket, event, args, e) -> errors.add("own: " + e.getMessage()));
        sio.onErrorDefault((socket, event, args, e) -> errors.add("default: " + event + " " + e.getMessage()));
        sio.on("fine", (socket, args) -> "still here");
        SocketIoTestClient c = client(sio);
        c.emit("boom", 1);
        assertEquals("default: boom boom 1", errors.poll(5, TimeUnit.SECONDS));
        assertEquals(List.of("still here"), c.emitWithAck("fine"));
        assertTrue(c.connect("/own"));
        c.emitTo("/own", "boom");
        assertEquals("own: own", errors.poll(5, TimeUnit.SECONDS));
        assertTrue(c.isConnected("/own"));
    }

    @Test
    void emitsToRoomsListsOfRoomsAndSkippingSids() throws Exception {
        SocketIoServer sio = server();
        sio.on("join", (socket, args) -> {
            for (Object room : args) {
                socket.enterRoom((String) room);
            }
            return new ArrayList<>(socket.rooms());
        });
        SocketIoTestClient a = client(sio);
        SocketIoTestClient b = client(sio);
        SocketIoTestClient c = client(sio);
        a.emitWithAck("join", "red");
        b.emitWithAck("join", "blue");
        List<Object> cRooms = c.emitWithAck("join", "red", "blue");
        assertEquals(Set.of(c.sid(), "red", "blue"), Set.copyOf((List<?>) cRooms.get(0)));

        sio.to("red", "blue").skipSid(a.sid(), b.sid()).emit("news", 1);
        sio.to("red").emit("news", 2);
        sio.to(b.sid()).emit("news", 3);
        sio.skipSid(c.sid()).emit("news", 4);
        sio.send("plain");
        assertEquals(List.of(1, 2), eventsBefore(c, "message"));
        assertEquals(List.of(2, 4), eventsBefore(a, "message"));
        assertEquals(List.of(3, 4), eventsBefore(b, "message"));

        sio.closeRoom("red");
        assertEquals(Set.of(c.sid(), "blue"), sio.rooms(c.sid()));
        sio.leaveRoom(c.sid(), "blue");
        assertEquals(Set.of(c.sid()), sio.rooms(c.sid()));
    }

    /** The first argument of every event received before {@code last} (which is awaited). */
    private static List<Object> eventsBefore(SocketIoTestClient client, String last) throws Exception {
        assertEquals(List.of("plain"), client.awaitEvent(last, WAIT).args());
        List<Object> seen = new ArrayList<>();
        for (Received r : client.getReceived()) {
            seen.add(r.args().get(0));
        }
        return seen;
    }

    @Test
    void callWaitsForTheAcknowledgementOrTimesOut() throws Exception {
        SocketIoServer sio = server();
        CompletableFuture<Socket> connected = new CompletableFuture<>();
        sio.onConnect((socket, auth) -> connected.complete(socket));
        SocketIoTestClient c = client(sio);
        CountDownLatch never = new CountDownLatch(1);
        c.onAck("add", args -> List.of((Integer) args.get(0) + (Integer) args.get(1)));
        c.onAck("stall", stallUntil(never));
        Socket socket = await(connected);
        assertEquals(List.of(5), socket.call("add", 2, 3));
        assertThrows(TimeoutException.class, () -> socket.call(Duration.ofMillis(200), "stall"));
        never.countDown();
        assertEquals(0, awaitNoPendingAcks(sio));
    }

    /**
     * An acknowledgement that times out, or whose client leaves, settles its future on the handler
     * executor: the application's continuations never run on the engine's scheduler thread (which
     * drives every client's heartbeat) or on the thread that closed the session.
     */
    @Test
    void anUnansweredAcknowledgementSettlesOnTheHandlerExecutor() throws Exception {
        SocketIoServer sio = server();
        List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch bothConnected = new CountDownLatch(2);
        sio.onConnect((socket, auth) -> {
            sockets.add(socket);
            bothConnected.countDown();
        });
        CountDownLatch never = new CountDownLatch(1);
        SocketIoTestClient timingOut = client(sio).onAck("stall", stallUntil(never));
        SocketIoTestClient leaving = client(sio).onAck("stall", stallUntil(never));
        assertTrue(bothConnected.await(5, TimeUnit.SECONDS));
        Socket first = sockets.stream().filter(s -> s.id().equals(timingOut.sid())).findFirst().orElseThrow();
        Socket second = sockets.stream().filter(s -> s.id().equals(leaving.sid())).findFirst().orElseThrow();

        CompletableFuture<String> timedOut = first.emitWithAck(Duration.ofMillis(100), "stall")
                .handle((v, e) -> Thread.currentThread().getName() + " " + e.getClass().getSimpleName());
        CompletableFuture<String> cancelled = second.emitWithAck("stall")
                .handle((v, e) -> Thread.currentThread().getName() + " " + e.getClass().getSimpleName());
        second.disconnect(true);
        String t = await(timedOut);
        String c = await(cancelled);
        never.countDown();
        assertTrue(t.startsWith("socketio-handler-") && t.endsWith(" TimeoutException"), t);
        assertTrue(c.startsWith("socketio-handler-") && c.endsWith(" CancellationException"), c);
    }

    /** A client's answer that comes only once {@code latch} opens (or after 10 s). */
    private static Function<List<Object>, List<Object>> stallUntil(CountDownLatch latch) {
        return args -> {
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        };
    }

    private static int awaitNoPendingAcks(SocketIoServer sio) throws InterruptedException {
        Await.holds(() -> sio.stats().pendingAcks() == 0, WAIT);
        return sio.stats().pendingAcks();
    }

    @Test
    void broadcastAcknowledgementsReportWhoDidNotAnswer() throws Exception {
        SocketIoServer sio = server();
        SocketIoTestClient a = client(sio);
        SocketIoTestClient b = client(sio);
        SocketIoTestClient silent = client(sio);
        a.onAck("poll", args -> List.of("a"));
        b.onAck("poll", args -> List.of("b", args.get(0)));
        CountDownLatch release = new CountDownLatch(1);
        silent.onAck("poll", args -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of("late");
        });
        BroadcastAcks acks = await(sio.timeout(Duration.ofMillis(500)).emitWithAck("poll", "q"));
        release.countDown();
        assertEquals(Map.of(a.sid(), List.of("a"), b.sid(), List.of("b", "q")), acks.responses());
        assertEquals(Set.of(silent.sid()), acks.missing());
        assertFalse(acks.complete());
        assertThrows(IllegalStateException.class, () -> sio.skipSid().emitWithAck("poll"));
        assertEquals(0, awaitNoPendingAcks(sio));
    }

    @Test
    void sessionsTransportAndDisconnectBySid() throws Exception {
        SocketIoServer sio = server();
        BlockingQueue<String> reasons = new LinkedBlockingQueue<>();
        sio.onDisconnect((socket, reason) -> reasons.add(reason.text()));
        sio.on("count", (socket, args) -> {
            try (SessionScope session = sio.session(socket.id())) {
                session.merge("n", 1, (x, y) -> (Integer) x + (Integer) y);
            }
            return sio.getSession(socket.id()).get("n");
        });
        SocketIoTestClient c = client(sio);
        assertEquals(List.of(1), c.emitWithAck("count"));
        assertEquals(List.of(2), c.emitWithAck("count"));
        Map<String, Object> replaced = new LinkedHashMap<>(sio.getSession(c.sid()));
        replaced.put("n", 10);
        sio.saveSession(c.sid(), replaced);
        assertEquals(List.of(11), c.emitWithAck("count"));
        String sid = c.sid();
        assertEquals(EngineOptions.Transport.WEBSOCKET, sio.transport(sid));
        sio.disconnect(sid);
        c.awaitDisconnect("/", WAIT);
        assertEquals("server disconnect", reasons.poll(5, TimeUnit.SECONDS));
        assertNull(sio.transport(sid));
    }

    @Test
    void theHandlersContextRepliesToTheSenderAndBroadcastSkipsIt() throws Exception {
        SocketIoServer sio = server();
        sio.on("shout", (socket, args) -> {
            Helper.reply("echo", args[0]);
            socket.broadcast().emit("heard", args[0]);
            return null;
        });
        SocketIoTestClient speaker = client(sio);
        SocketIoTestClient listener = client(sio);
        speaker.emit("shout", "hey");
        assertEquals(List.of("hey"), speaker.awaitEvent("echo", WAIT).args());
        assertEquals(List.of("hey"), listener.awaitEvent("heard", WAIT).args());
        sio.emit("barrier");
        speaker.awaitEvent("barrier", WAIT);
        assertTrue(speaker.getReceived().stream().noneMatch(r -> r.name().equals("heard")));
        assertThrows(IllegalStateException.class, Socket::current);
    }

    /** Code far from the handler that needs the current client. */
    static final class Helper {
        static void reply(String event, Object value) {
            Socket.current().emit(event, value);
        }
    }

    @Test
    void oneServerLaneWhenHandlersAreNotAsync() throws Exception {
        assertEquals("released", blockedHandlerOutcome(true));
        assertEquals("still blocked", blockedHandlerOutcome(false));
    }

    /**
     * Client A's handler waits for client B's handler to run. With a lane per client it does;
     * with one lane for the server B's handler only runs after A's gave up.
     */
    private String blockedHandlerOutcome(boolean asyncHandlers) throws Exception {
        SocketIoServer sio = server(SocketIoServer.builder().asyncHandlers(asyncHandlers));
        CountDownLatch bRan = new CountDownLatch(1);
        CountDownLatch aWaiting = new CountDownLatch(1);
        sio.on("wait", (socket, args) -> {
            aWaiting.countDown();
            return bRan.await(1, TimeUnit.SECONDS) ? "released" : "still blocked";
        });
        sio.on("release", (socket, args) -> {
            bRan.countDown();
            return null;
        });
        SocketIoTestClient a = client(sio);
        SocketIoTestClient b = client(sio);
        CompletableFuture<List<Object>> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                return a.emitWithAck("wait");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(aWaiting.await(5, TimeUnit.SECONDS));
        b.emit("release");
        return (String) await(outcome).get(0);
    }

    @Test
    void backgroundTasksRunAndStopWithTheServer() throws Exception {
        SocketIoServer sio = SocketIoServer.create();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> ended = new CompletableFuture<>();
        sio.startBackgroundTask(() -> {
            started.countDown();
            try {
                SocketIoServer.sleep(Duration.ofMinutes(5));
                ended.complete("slept");
            } catch (InterruptedException e) {
                ended.complete("interrupted");
            }
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        assertEquals(1, sio.stats().backgroundTasks());
        sio.close();
        assertEquals("interrupted", await(ended));
    }

    @Test
    void reservedEventNamesCannotBeEmitted() {
        SocketIoServer sio = server();
        assertThrows(IllegalArgumentException.class, () -> sio.emit("disconnect"));
        assertThrows(IllegalArgumentException.class, () -> sio.to("room").emit("connect_error"));
    }

    @Test
    void volatileEmitsReachAClientThatCanTakeThem() throws Exception {
        SocketIoServer sio = server();
        SocketIoTestClient c = client(sio);
        sio.to(c.sid()).asVolatile().emit("tick", 1);
        assertEquals(List.of(1), c.awaitEvent("tick", WAIT).args());
    }

    @Test
    void nothingIsLeftOnceClientsAreGone() throws Exception {
        SocketIoServer sio = server();
        sio.on("join", (socket, args) -> {
            socket.enterRoom("r");
            return null;
        });
        sio.of("/other");
        List<SocketIoTestClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            SocketIoTestClient c = SocketIoTestClient.connect(sio);
            c.connect("/other");
            c.emitWithAck("join");
            clients.add(c);
        }
        assertEquals(40, sio.stats().sockets());
        for (SocketIoTestClient c : clients) {
            c.close();
        }
        Await.holds(() -> sio.stats().isEmpty(), WAIT);
        assertTrue(sio.stats().isEmpty(), sio.stats().toString());
    }
}
