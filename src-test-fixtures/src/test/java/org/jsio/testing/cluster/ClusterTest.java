package org.jsio.testing.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jsio.manager.Emitter;
import org.jsio.manager.RedisManager;
import org.jsio.testing.Await;
import org.jsio.testing.RedisServer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two server processes, one on embedded Jetty and one on embedded Tomcat, each with its own
 * server and Redis manager on one real redis-server, with official JavaScript and Java clients on
 * both: broadcasts, rooms, skipSid, disconnects, acknowledgements and an external emitter across
 * the processes.
 */
class ClusterTest {
    private static final Duration T = NodeClient.TIMEOUT;
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final AtomicInteger TOKENS = new AtomicInteger();

    private static RedisServer redis;
    private static ClusterNode a;
    private static ClusterNode b;
    private static NodeClient node;
    private static final List<JavaPeer> PEERS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        a = new ClusterNode("jetty", redis.url());
        b = new ClusterNode("tomcat", redis.url());
        node = NodeClient.start();
        awaitCondition("both nodes subscribed", () -> subscribers() == 2);
    }

    @AfterAll
    static void stop() {
        PEERS.forEach(JavaPeer::close);
        if (node != null) {
            node.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static int subscribers() {
        try {
            return redis.subscribers("socketio");
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** Socket.IO client options: a new WebSocket-only connection that does not reconnect. */
    static final String WEBSOCKET_ONLY = "{\"forceNew\":true,\"reconnection\":false,\"transports\":[\"websocket\"]}";

    /** Waits until the manager of each node holds its one Redis subscription. */
    static void awaitSubscribed(ClusterNode a, ClusterNode b) throws InterruptedException {
        awaitCondition("both subscribed", () -> a.manager.subscriptions() == 1 && b.manager.subscriptions() == 1);
    }

    /** Waits for a condition that other threads make true, failing after a generous timeout. */
    static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(condition, Duration.ofSeconds(30), () -> "timed out waiting until " + what);
    }

    /** A connected JS client on {@code at}; returns {driverId, sid}. */
    private static String[] js(ClusterNode at, String namespace) {
        String id = "k" + IDS.incrementAndGet();
        node.connect(id, at.url(namespace), WEBSOCKET_ONLY);
        String sid = node.awaitConnect(id, T).get("sid").getAsString();
        return new String[] {id, sid};
    }

    private static JavaPeer java(ClusterNode at, String namespace) throws InterruptedException {
        JavaPeer p = new JavaPeer(at.url(namespace)).connect();
        PEERS.add(p);
        return p;
    }

    private static String token() {
        return "t" + TOKENS.incrementAndGet();
    }

    private static JsonObject jsAwait(String id, String event, String first) {
        return node.await(r -> "event".equals(str(r, "type")) && id.equals(str(r, "id"))
                && event.equals(str(r, "event")) && first.equals(firstArg(r)), T);
    }

    private static long jsCount(String id, String event, String first) {
        return node.received().stream().filter(r -> "event".equals(str(r, "type")) && id.equals(str(r, "id"))
                && event.equals(str(r, "event")) && first.equals(firstArg(r))).count();
    }

    private static String str(JsonObject r, String key) {
        return r.has(key) && r.get(key).isJsonPrimitive() ? r.get(key).getAsString() : null;
    }

    private static String firstArg(JsonObject r) {
        JsonArray args = r.getAsJsonArray("args");
        return args != null && args.size() > 0 && args.get(0).isJsonPrimitive() ? args.get(0).getAsString() : null;
    }

    /**
     * Sends a marker from {@code via} to every client and waits until all got it: whatever an
     * earlier emit was going to deliver to them has been delivered by then (one channel, ordered).
     */
    private static void barrier(ClusterNode via, List<String> jsIds, List<JavaPeer> peers) throws InterruptedException {
        String marker = token();
        via.sio.emit("marker", marker);
        for (String id : jsIds) {
            jsAwait(id, "marker", marker);
        }
        for (JavaPeer p : peers) {
            p.await("marker", args -> marker.equals(args[0]));
        }
    }

    @Test
    void aBroadcastReachesEveryClientOfEveryNodeExactlyOnce() throws Exception {
        String[] jsA = js(a, "/");
        String[] jsB = js(b, "/");
        JavaPeer javaA = java(a, "/");
        JavaPeer javaB = java(b, "/");
        List<String> jsIds = List.of(jsA[0], jsB[0]);
        List<JavaPeer> peers = List.of(javaA, javaB);
        for (ClusterNode from : new ClusterNode[] {a, b}) {
            String t = token();
            from.sio.emit("news", t, Map.of("from", from.container.kind()));
            for (String id : jsIds) {
                JsonObject e = jsAwait(id, "news", t);
                assertEquals(from.container.kind(), e.getAsJsonArray("args").get(1).getAsJsonObject()
                        .get("from").getAsString());
            }
            for (JavaPeer p : peers) {
                p.await("news", args -> t.equals(args[0]));
            }
            barrier(from == a ? b : a, jsIds, peers);
            for (String id : jsIds) {
                assertEquals(1, jsCount(id, "news", t), "copies of " + t + " at " + id);
            }
            for (JavaPeer p : peers) {
                assertEquals(1, p.count("news", t), "copies of " + t + " at " + p.id());
            }
        }
    }

    @Test
    void roomsSkipSidEnterLeaveAndCloseHoldAcrossNodes() throws Exception {
        String[] jsA = js(a, "/chat");
        String[] jsB = js(b, "/chat");
        JavaPeer javaA = java(a, "/chat");
        JavaPeer javaB = java(b, "/chat");
        String room = "room-" + token();
        // clients of node B enter the room by a call on node A (enter_room messages), jsA locally
        a.sio.of("/chat").enterRoom(jsB[1], room);
        a.sio.of("/chat").enterRoom(javaB.id(), room);
        a.sio.of("/chat").enterRoom(jsA[1], room);
        awaitCondition("B's clients entered " + room, () -> b.sio.of("/chat").roomMembers(room).size() == 2);

        String t1 = token();
        a.sio.of("/chat").to(room).skipSid(jsB[1]).emit("room-news", t1);
        jsAwait(jsA[0], "room-news", t1);
        javaB.await("room-news", args -> t1.equals(args[0]));
        String m1 = token();
        a.sio.of("/chat").emit("marker", m1);
        jsAwait(jsB[0], "marker", m1);
        javaA.await("marker", args -> m1.equals(args[0]));
        assertEquals(0, jsCount(jsB[0], "room-news", t1), "skipped client got the room emit");
        assertEquals(0, javaA.count("room-news", t1), "client outside the room got the room emit");

        // javaB leaves (asked from node A), then node B emits to the room
        a.sio.of("/chat").leaveRoom(javaB.id(), room);
        awaitCondition("javaB left " + room, () -> !b.sio.of("/chat").rooms(javaB.id()).contains(room));
        String t2 = token();
        b.sio.of("/chat").to(room).emit("room-news", t2);
        jsAwait(jsA[0], "room-news", t2);
        jsAwait(jsB[0], "room-news", t2);
        String m2 = token();
        b.sio.of("/chat").emit("marker", m2);
        javaB.await("marker", args -> m2.equals(args[0]));
        assertEquals(0, javaB.count("room-news", t2), "a client that left still got the room emit");

        // closing the room on node B empties it on node A as well
        b.sio.of("/chat").closeRoom(room);
        awaitCondition(room + " closed everywhere", () -> a.sio.of("/chat").roomMembers(room).isEmpty()
                && b.sio.of("/chat").roomMembers(room).isEmpty());
        String t3 = token();
        a.sio.of("/chat").to(room).emit("room-news", t3);
        String m3 = token();
        a.sio.of("/chat").emit("marker", m3);
        jsAwait(jsA[0], "marker", m3);
        jsAwait(jsB[0], "marker", m3);
        assertEquals(0, jsCount(jsA[0], "room-news", t3) + jsCount(jsB[0], "room-news", t3));
    }

    @Test
    void aClientOnAnotherNodeIsDisconnected() throws Exception {
        String[] jsB = js(b, "/");
        JavaPeer javaB = java(b, "/");
        String javaSid = javaB.id();
        a.sio.disconnect(jsB[1]);
        JsonObject d = node.awaitType("disconnect", jsB[0], T);
        assertEquals("io server disconnect", str(d, "reason"));
        a.sio.disconnect(javaSid);
        assertEquals("io server disconnect", javaB.awaitDisconnect());
        awaitCondition("both gone from node B", () -> b.sio.socket(jsB[1]) == null && b.sio.socket(javaSid) == null);
    }

    @Test
    void anAcknowledgementFromAClientOnAnotherNodeReachesTheCaller() throws Exception {
        String[] jsB = js(b, "/");
        node.ackWith(jsB[0], "question", "js-answer", 42);
        JavaPeer javaB = java(b, "/");
        javaB.answer("question", args -> "java:" + args[0]);

        List<Object> fromJs = a.sio.call(jsB[1], T, "question", "q1");
        assertEquals(List.of("js-answer", 42), fromJs);
        List<Object> fromJava = a.sio.emitWithAck(javaB.id(), T, "question", "q2").get();
        assertEquals(List.of("java:q2"), fromJava);
        assertEquals(0, a.manager.pendingRemoteAcks());

        // a client that never answers: the caller times out and nothing stays pending
        String[] silent = js(b, "/");
        assertThrows(TimeoutException.class, () -> a.sio.call(silent[1], Duration.ofMillis(500), "ignored"));
        assertEquals(0, a.manager.pendingRemoteAcks());
        node.awaitEvent(silent[0], "ignored", T);
    }

    @Test
    void theExternalEmitterReachesClientsOnEveryNode() throws Exception {
        String[] jsA = js(a, "/");
        String[] jsB = js(b, "/");
        JavaPeer javaB = java(b, "/");
        String[] chatA = js(a, "/chat");
        try (Emitter emitter = RedisManager.emitter(redis.url())) {
            String t = token();
            emitter.emit("ext", t, List.of(1, 2));
            jsAwait(jsA[0], "ext", t);
            jsAwait(jsB[0], "ext", t);
            javaB.await("ext", args -> t.equals(args[0]));

            String room = "ext-" + token();
            emitter.enterRoom(jsB[1], room);
            emitter.enterRoom(javaB.id(), room);
            awaitCondition("clients of B in " + room, () -> b.sio.of("/").roomMembers(room).size() == 2);
            String t2 = token();
            byte[] blob = {0, 1, 2, (byte) 0xfe, (byte) 0xff};
            emitter.to(room).skipSid(javaB.id()).emit("ext-bin", t2, blob);
            JsonObject got = jsAwait(jsB[0], "ext-bin", t2);
            assertArrayEquals(blob, NodeClient.bytes(got.getAsJsonArray("args").get(1)));

            String t3 = token();
            emitter.of("/chat").emit("ext-chat", t3);
            jsAwait(chatA[0], "ext-chat", t3);

            emitter.disconnect(jsA[1]);
            assertEquals("io server disconnect", str(node.awaitType("disconnect", jsA[0], T), "reason"));
            assertTrue(emitter.flush(T));
            assertEquals(0, emitter.manager().droppedMessages());
        }
        barrier(b, List.of(jsB[0]), List.of(javaB));
        assertEquals(0, javaB.count("ext-bin", "x"));
        assertTrue(javaB.disconnects().isEmpty());
    }

    @Test
    void ignoreQueueStaysOnItsNode() throws Exception {
        String[] jsA = js(a, "/");
        String[] jsB = js(b, "/");
        String t = token();
        a.sio.to().ignoreQueue().emit("local-only", t);
        jsAwait(jsA[0], "local-only", t);
        barrier(a, List.of(jsA[0], jsB[0]), List.of());
        assertEquals(0, jsCount(jsB[0], "local-only", t));
    }

    @Test
    void garbageOnTheChannelIsIgnoredAndTheListenersGoOn() throws Exception {
        String[] jsB = js(b, "/");
        long before = b.manager.receivedMessages();
        redis.command("PUBLISH", "socketio", "not a message");
        redis.command("PUBLISH", "socketio", "{\"method\":\"emit\"}");
        redis.command("PUBLISH", "socketio", "{\"method\":\"emit\",\"event\":\"connect\",\"namespace\":\"/\"}");
        redis.command("PUBLISH", "socketio", "[1,2,3]");
        String t = token();
        a.sio.emit("after-garbage", t);
        jsAwait(jsB[0], "after-garbage", t);
        assertTrue(b.manager.receivedMessages() >= before + 5);
        assertEquals(2, subscribers());
    }
}
