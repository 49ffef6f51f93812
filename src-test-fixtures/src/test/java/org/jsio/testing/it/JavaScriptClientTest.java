package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official JavaScript client ({@code socket.io-client} 4.8 under Node.js) against the server
 * on embedded Jetty 12 and embedded Tomcat, over long-polling only, WebSocket only, and
 * long-polling upgraded to WebSocket.
 */
class JavaScriptClientTest {
    private static final Map<String, Servers> SERVERS = new java.util.HashMap<>();
    private static NodeClient node;
    private static final AtomicInteger IDS = new AtomicInteger();

    /** Jetty and Tomcat, and Undertow as a container that is neither. */
    private static final String[] CONTAINERS = {"jetty", "tomcat", EmbeddedContainer.UNDERTOW};

    @BeforeAll
    static void start() throws Exception {
        for (String kind : CONTAINERS) {
            SERVERS.put(kind, new Servers(kind));
        }
        node = NodeClient.start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        SERVERS.values().forEach(Servers::close);
    }

    static Stream<Arguments> setups() {
        return Stream.of(CONTAINERS).flatMap(c -> Stream.of("polling", "websocket", "upgrade")
                .map(t -> Arguments.of(c, t)));
    }

    private static String options(String transport, String extra) {
        String transports;
        switch (transport) {
            case "polling":
                transports = "[\"polling\"]";
                break;
            case "websocket":
                transports = "[\"websocket\"]";
                break;
            default:
                transports = "[\"polling\",\"websocket\"]";
        }
        return "{\"forceNew\":true,\"reconnection\":false,\"transports\":" + transports
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /** Connects a new client and returns its id once connected (and upgraded, in upgrade mode). */
    private static String connect(String container, String transport, String namespace, String extra) {
        String id = "c" + IDS.incrementAndGet();
        node.connect(id, SERVERS.get(container).url(namespace), options(transport, extra));
        JsonObject connected = node.awaitConnect(id, NodeClient.TIMEOUT);
        if ("upgrade".equals(transport)) {
            node.awaitType("upgrade", id, NodeClient.TIMEOUT);
        } else {
            assertEquals(transport, connected.get("transport").getAsString());
        }
        return id;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void connectsWithAuthAndSeesTheHandshake(String container, String transport) throws Exception {
        String id = "c" + IDS.incrementAndGet();
        node.connect(id, SERVERS.get(container).url("/"),
                options(transport, "\"auth\":{\"token\":\"abc\"},\"query\":{\"who\":\"alice\"}"));
        String sid = node.awaitConnect(id, NodeClient.TIMEOUT).get("sid").getAsString();
        JsonObject welcome = node.awaitEvent(id, "welcome", NodeClient.TIMEOUT).getAsJsonArray("args").get(0)
                .getAsJsonObject();
        assertEquals(sid, welcome.get("sid").getAsString());
        assertEquals("/", welcome.get("namespace").getAsString());
        assertEquals("{\"token\":\"abc\"}", welcome.get("auth").toString());
        assertEquals("alice", welcome.get("query").getAsString());
        assertEquals("127.0.0.1", welcome.get("remote").getAsString());
        assertEquals("connect:/:" + sid, SERVERS.get(container).app.awaitLog("connect:/:" + sid));
        if ("upgrade".equals(transport)) {
            node.awaitType("upgrade", id, NodeClient.TIMEOUT);
            JsonObject me = node.call(id, "whoami", NodeClient.TIMEOUT).get(0).getAsJsonObject();
            assertEquals("websocket", me.get("transport").getAsString());
        }
        node.disconnect(id);
        SERVERS.get(container).app.awaitLog("disconnect:/:" + sid + ":client disconnect");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void refusedConnectionCarriesMessageAndData(String container, String transport) {
        String id = "c" + IDS.incrementAndGet();
        node.connect(id, SERVERS.get(container).url("/custom"), options(transport, "\"auth\":{\"token\":\"bad\"}"));
        JsonObject error = node.awaitType("connect_error", id, NodeClient.TIMEOUT);
        assertEquals("not authorized", error.get("message").getAsString());
        assertEquals("{\"reason\":\"bad token\",\"code\":4001}", sorted(error.get("data").getAsJsonObject()));

        String other = "c" + IDS.incrementAndGet();
        node.connect(other, SERVERS.get(container).url("/nope"), options(transport, ""));
        assertEquals("Invalid namespace", node.awaitType("connect_error", other, NodeClient.TIMEOUT)
                .get("message").getAsString());
    }

    private static String sorted(JsonObject o) {
        JsonObject out = new JsonObject();
        out.add("reason", o.get("reason"));
        out.add("code", o.get("code"));
        assertEquals(2, o.size(), o.toString());
        return out.toString();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void customNamespaceEventsAndAcksBothWays(String container, String transport) {
        String id = connect(container, transport, "/custom", "");
        JsonObject welcome = node.awaitEvent(id, "welcome", NodeClient.TIMEOUT).getAsJsonArray("args").get(0)
                .getAsJsonObject();
        assertEquals("/custom", welcome.get("namespace").getAsString());
        assertEquals("{}", welcome.get("auth").toString());

        // client -> server event, server -> client event
        node.emit(id, "emit-back", 1, "2", Map.of("3", List.of(false)), "\u00e9\u20ac\ud83d\ude00");
        JsonArray echoed = node.awaitEvent(id, "echoed", NodeClient.TIMEOUT).getAsJsonArray("args");
        assertEquals("[1,\"2\",{\"3\":[false]},\"\u00e9\u20ac\ud83d\ude00\"]", echoed.toString());

        // client -> server ack
        JsonArray acked = node.call(id, "echo", NodeClient.TIMEOUT, 1.5, "x", List.of());
        assertEquals("[1.5,\"x\",[]]", acked.toString());
        assertEquals("[]", node.call(id, "echo", NodeClient.TIMEOUT).toString());

        // server -> client ack: the server asks, the client answers, the server relays the answer
        node.ackWith(id, "question", "yes", 42);
        assertEquals("[\"yes\",42]", node.call(id, "ask", NodeClient.TIMEOUT, "really?").toString());
        node.disconnect(id);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void binaryBothWays(String container, String transport) {
        String id = connect(container, transport, "/", "");
        byte[] small = {1, 2, 3};
        byte[] big = new byte[100_000];
        new java.util.Random(7).nextBytes(big);
        JsonArray acked = node.call(id, "echo", NodeClient.TIMEOUT, small, Map.of("nested", List.of("a", big)));
        assertArrayEquals(small, NodeClient.bytes(acked.get(0)));
        JsonArray nested = acked.get(1).getAsJsonObject().getAsJsonArray("nested");
        assertEquals("a", nested.get(0).getAsString());
        assertArrayEquals(big, NodeClient.bytes(nested.get(1)));

        node.emit(id, "emit-back", "bin", small);
        JsonArray echoed = node.awaitEvent(id, "echoed", NodeClient.TIMEOUT).getAsJsonArray("args");
        assertEquals("bin", echoed.get(0).getAsString());
        assertArrayEquals(small, NodeClient.bytes(echoed.get(1)));

        node.ackWith(id, "question", (Object) new byte[] {9, 8});
        JsonArray answer = node.call(id, "ask", NodeClient.TIMEOUT, (Object) new byte[] {7});
        assertArrayEquals(new byte[] {9, 8}, NodeClient.bytes(answer.get(0)));
        node.disconnect(id);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void roomsAndBroadcasts(String container, String transport) {
        String a = connect(container, transport, "/", "");
        String b = connect(container, transport, "/", "");
        String c = connect(container, transport, "/", "");
        String room = "room-" + a;
        assertTrue(node.call(a, "join", NodeClient.TIMEOUT, room).get(0).toString().contains(room));
        node.call(b, "join", NodeClient.TIMEOUT, room);

        // to the room except the sender: only b receives it
        assertEquals("sent", node.call(a, "to-room", NodeClient.TIMEOUT, room, "first").get(0).getAsString());
        assertEquals("[\"first\"]", node.awaitEvent(b, "room-message", NodeClient.TIMEOUT).getAsJsonArray("args").toString());
        // to the whole room: a's first room message is "second", so it did not get "first"
        node.call(a, "to-room-all", NodeClient.TIMEOUT, room, "second");
        assertEquals("[\"second\"]", node.awaitEvent(a, "room-message", NodeClient.TIMEOUT).getAsJsonArray("args").toString());
        assertEquals("[\"second\"]", node.awaitEvent(b, "room-message", NodeClient.TIMEOUT).getAsJsonArray("args").toString());

        // after leaving, b gets nothing; c (never in the room) gets nothing either
        node.call(b, "leave", NodeClient.TIMEOUT, room);
        node.call(a, "to-room-all", NodeClient.TIMEOUT, room, "third");
        assertEquals("[\"third\"]", node.awaitEvent(a, "room-message", NodeClient.TIMEOUT).getAsJsonArray("args").toString());
        // a broadcast is a barrier: once b and c got it, any room message to them would have arrived
        node.emit(a, "broadcast", "all");
        for (String id : new String[] {a, b, c}) {
            assertEquals("[\"all\"]", node.awaitEvent(id, "broadcasted", NodeClient.TIMEOUT).getAsJsonArray("args").toString());
        }
        long roomMessagesToC = node.received().stream().filter(e -> c.equals(str(e, "id"))
                && "room-message".equals(str(e, "event"))).count();
        long roomMessagesToB = node.received().stream().filter(e -> b.equals(str(e, "id"))
                && "room-message".equals(str(e, "event"))).count();
        assertEquals(0, roomMessagesToC);
        assertEquals(2, roomMessagesToB);
        for (String id : new String[] {a, b, c}) {
            node.disconnect(id);
        }
    }

    /**
     * A burst of broadcasts to more clients than are written on the sending thread, each followed
     * by a message to every client on its own: every client gets all of them, in the order sent.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void aBurstOfBroadcastsReachesEveryClientInOrder(String container, String transport) {
        String room = "burst-" + IDS.incrementAndGet();
        List<String> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = connect(container, transport, "/", "");
            node.call(id, "join", NodeClient.TIMEOUT, room);
            clients.add(id);
        }
        int n = 40;
        assertEquals("sent", node.call(clients.get(0), "burst", NodeClient.TIMEOUT, room, n).get(0).getAsString());
        for (String id : clients) {
            for (int i = 0; i < n; i++) {
                assertEquals("[" + i + "]", node.awaitEvent(id, "burst", NodeClient.TIMEOUT).getAsJsonArray("args")
                        .toString(), id);
                assertEquals("[\"to-" + i + "\"]", node.awaitEvent(id, "burst", NodeClient.TIMEOUT)
                        .getAsJsonArray("args").toString(), id);
            }
        }
        for (String id : clients) {
            node.disconnect(id);
        }
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : null;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void serverSideDisconnect(String container, String transport) throws Exception {
        String id = connect(container, transport, "/", "");
        String sid = node.call(id, "whoami", NodeClient.TIMEOUT).get(0).getAsJsonObject().get("sid").getAsString();
        node.emit(id, "disconnect-me");
        assertEquals("io server disconnect", node.awaitType("disconnect", id, NodeClient.TIMEOUT)
                .get("reason").getAsString());
        SERVERS.get(container).app.awaitLog("disconnect:/:" + sid + ":server disconnect");
    }
}
