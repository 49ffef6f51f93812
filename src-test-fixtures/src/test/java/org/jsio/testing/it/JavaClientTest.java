package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.client.SocketOptionBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jsio.testing.EmbeddedContainer;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official Java client ({@code io.socket:socket.io-client} 2.1) against the server on embedded
 * Jetty 12 and embedded Tomcat, over long-polling only, WebSocket only, and long-polling upgraded
 * to WebSocket. The scenarios are those of {@link JavaScriptClientTest}.
 */
class JavaClientTest {
    private static final long TIMEOUT_SECONDS = 10;
    /** The events the test application emits to clients; each is collected into its own queue. */
    private static final String[] SERVER_EVENTS = {"welcome", "echoed", "room-message", "broadcasted"};
    private static final Map<String, Servers> SERVERS = new HashMap<>();

    private final List<Client> clients = new ArrayList<>();

    /** Jetty and Tomcat, and Undertow as a container that is neither. */
    private static final String[] CONTAINERS = {"jetty", "tomcat", EmbeddedContainer.UNDERTOW};

    @BeforeAll
    static void start() throws Exception {
        for (String kind : CONTAINERS) {
            SERVERS.put(kind, new Servers(kind));
        }
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(Servers::close);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Client::close);
    }

    static Stream<Arguments> setups() {
        return Stream.of(CONTAINERS).flatMap(c -> Stream.of("polling", "websocket", "upgrade")
                .map(t -> Arguments.of(c, t)));
    }

    /** A client that is not connected yet: every event it will receive is already being collected. */
    private Client open(String container, String transport, String namespace,
            UnaryOperator<SocketOptionBuilder> extra) {
        String[] transports = "upgrade".equals(transport) ? new String[] {"polling", "websocket"}
                : new String[] {transport};
        IO.Options options = extra.apply(IO.Options.builder()
                .setForceNew(true)
                .setReconnection(false)
                .setTransports(transports)).build();
        Client client = new Client(URI.create(SERVERS.get(container).url(namespace)), options);
        clients.add(client);
        return client;
    }

    /**
     * A connected client. Its transport is the one asked for; in upgrade mode, the server is asked
     * until it reports the upgrade to WebSocket as done.
     */
    private Client connect(String container, String transport, String namespace,
            UnaryOperator<SocketOptionBuilder> extra) throws Exception {
        Client client = open(container, transport, namespace, extra);
        client.await(Socket.EVENT_CONNECT);
        String expected = "upgrade".equals(transport) ? "websocket" : transport;
        String seen = client.whoami().getString("transport");
        for (int tries = 0; "upgrade".equals(transport) && !expected.equals(seen) && tries < 100; tries++) {
            seen = client.whoami().getString("transport");
        }
        assertEquals(expected, seen);
        return client;
    }

    private Client connect(String container, String transport, String namespace) throws Exception {
        return connect(container, transport, namespace, o -> o);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void connectsWithAuthAndSeesTheHandshake(String container, String transport) throws Exception {
        Client client = connect(container, transport, "/",
                o -> o.setAuth(Map.of("token", "abc")).setQuery("who=alice"));
        String sid = client.socket.id();
        JSONObject welcome = (JSONObject) client.await("welcome")[0];
        assertEquals(sid, welcome.getString("sid"));
        assertEquals("/", welcome.getString("namespace"));
        assertEquals("{\"token\":\"abc\"}", welcome.getJSONObject("auth").toString());
        assertEquals("alice", welcome.getString("query"));
        assertEquals("127.0.0.1", welcome.getString("remote"));
        assertEquals("connect:/:" + sid, SERVERS.get(container).app.awaitLog("connect:/:" + sid));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void refusedConnectionCarriesMessageAndData(String container, String transport) throws Exception {
        Client refused = open(container, transport, "/custom", o -> o.setAuth(Map.of("token", "bad")));
        JSONObject error = (JSONObject) refused.await(Socket.EVENT_CONNECT_ERROR)[0];
        assertEquals("not authorized", error.getString("message"));
        JSONObject data = error.getJSONObject("data");
        assertEquals(2, data.length(), data.toString());
        assertEquals("bad token", data.getString("reason"));
        assertEquals(4001, data.getInt("code"));
        assertTrue(refused.received(Socket.EVENT_CONNECT).isEmpty());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void unknownNamespaceIsRefused(String container, String transport) throws Exception {
        Client refused = open(container, transport, "/nope", o -> o);
        JSONObject error = (JSONObject) refused.await(Socket.EVENT_CONNECT_ERROR)[0];
        assertEquals("Invalid namespace", error.getString("message"));
        assertTrue(refused.received(Socket.EVENT_CONNECT).isEmpty());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void customNamespaceEventsAndAcksBothWays(String container, String transport) throws Exception {
        Client client = connect(container, transport, "/custom");
        JSONObject welcome = (JSONObject) client.await("welcome")[0];
        assertEquals("/custom", welcome.getString("namespace"));
        assertEquals("{}", welcome.getJSONObject("auth").toString());

        // client -> server event, server -> client event
        String unicode = "\u00e9\u20ac\ud83d\ude00";
        client.socket.emit("emit-back", 1, "2", new JSONObject().put("3", new JSONArray().put(false)), unicode);
        Object[] echoed = client.await("echoed");
        assertEquals("[1,\"2\",{\"3\":[false]}]", json(Arrays.copyOf(echoed, 3)));
        assertEquals(unicode, echoed[3]);
        assertEquals(4, echoed.length);

        // client -> server ack
        assertEquals("[1.5,\"x\",[]]", json(client.call("echo", 1.5, "x", new JSONArray())));
        assertEquals("[]", json(client.call("echo")));

        // server -> client ack: the server asks, the client answers, the server relays the answer
        client.answerQuestionsWith("yes", 42);
        assertEquals("[\"yes\",42]", json(client.call("ask", "really?")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void binaryBothWays(String container, String transport) throws Exception {
        Client client = connect(container, transport, "/");
        byte[] small = {1, 2, 3};
        byte[] big = new byte[100_000];
        new Random(7).nextBytes(big);
        Object[] acked = client.call("echo", small, new JSONObject().put("nested", new JSONArray().put("a").put(big)));
        assertEquals(2, acked.length);
        assertArrayEquals(small, (byte[]) acked[0]);
        JSONArray nested = ((JSONObject) acked[1]).getJSONArray("nested");
        assertEquals(2, nested.length());
        assertEquals("a", nested.getString(0));
        assertArrayEquals(big, (byte[]) nested.get(1));

        client.socket.emit("emit-back", "bin", small);
        Object[] echoed = client.await("echoed");
        assertEquals(2, echoed.length);
        assertEquals("bin", echoed[0]);
        assertArrayEquals(small, (byte[]) echoed[1]);

        client.answerQuestionsWith((Object) new byte[] {9, 8});
        Object[] answer = client.call("ask", (Object) new byte[] {7});
        assertEquals(1, answer.length);
        assertArrayEquals(new byte[] {9, 8}, (byte[]) answer[0]);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void roomsAndBroadcasts(String container, String transport) throws Exception {
        Client a = connect(container, transport, "/");
        Client b = connect(container, transport, "/");
        Client c = connect(container, transport, "/");
        String room = "room-" + a.socket.id();
        assertTrue(json(a.call("join", room)).contains("\"" + room + "\""));
        assertTrue(json(b.call("join", room)).contains("\"" + room + "\""));

        // to the room except the sender: only b receives it
        assertEquals("[\"sent\"]", json(a.call("to-room", room, "first")));
        assertEquals("[\"first\"]", json(b.await("room-message")));
        // to the whole room: a's first room message is "second", so it did not get "first"
        assertEquals("[\"sent\"]", json(a.call("to-room-all", room, "second")));
        assertEquals("[\"second\"]", json(a.await("room-message")));
        assertEquals("[\"second\"]", json(b.await("room-message")));

        // after leaving, b gets nothing; c (never in the room) gets nothing either
        assertFalse(json(b.call("leave", room)).contains("\"" + room + "\""));
        a.call("to-room-all", room, "third");
        assertEquals("[\"third\"]", json(a.await("room-message")));
        // a broadcast is a barrier: once b and c got it, any room message to them would have arrived
        a.socket.emit("broadcast", "all");
        for (Client each : List.of(a, b, c)) {
            assertEquals("[\"all\"]", json(each.await("broadcasted")));
        }
        for (Client each : List.of(a, b, c)) {
            assertEquals(List.of(), each.received("room-message"));
            assertEquals(List.of(), each.received("broadcasted"));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void serverSideDisconnect(String container, String transport) throws Exception {
        Client client = connect(container, transport, "/");
        String sid = client.whoami().getString("sid");
        client.socket.emit("disconnect-me");
        assertEquals("io server disconnect", client.await(Socket.EVENT_DISCONNECT)[0]);
        SERVERS.get(container).app.awaitLog("disconnect:/:" + sid + ":server disconnect");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void handlersRunOnTomcatsRequestThreadsAndElsewhereOnTheServersOwn(String container, String transport)
            throws Exception {
        Client client = connect(container, transport, "/");
        String thread = client.whoami().getString("thread");
        if ("tomcat".equals(container)) {
            // the connector's executor: the thread that read the event often runs its handler
            assertTrue(thread.startsWith("http-nio-") && thread.contains("-exec-"), thread);
        } else {
            assertTrue(thread.startsWith("socketio-handler-"), thread);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setups")
    void clientSideDisconnect(String container, String transport) throws Exception {
        Client client = connect(container, transport, "/");
        String sid = client.whoami().getString("sid");
        client.socket.disconnect();
        assertEquals("io client disconnect", client.await(Socket.EVENT_DISCONNECT)[0]);
        SERVERS.get(container).app.awaitLog("disconnect:/:" + sid + ":client disconnect");
    }

    /** JSON text of event or ack arguments (none of them binary). */
    private static String json(Object[] args) {
        return new JSONArray(Arrays.asList(args)).toString();
    }

    /**
     * One Java client socket. The client calls back on its own event thread; whatever arrives there
     * is put into a queue per event and taken from the test's thread with a timeout.
     */
    private static final class Client {
        final Socket socket;
        private final Map<String, BlockingQueue<Object[]>> received = new ConcurrentHashMap<>();

        Client(URI uri, IO.Options options) {
            socket = IO.socket(uri, options);
            List<String> events = new ArrayList<>(List.of(SERVER_EVENTS));
            events.addAll(List.of(Socket.EVENT_CONNECT, Socket.EVENT_CONNECT_ERROR, Socket.EVENT_DISCONNECT));
            for (String event : events) {
                socket.on(event, args -> queue(event).add(args));
            }
            socket.connect();
        }

        private BlockingQueue<Object[]> queue(String event) {
            return received.computeIfAbsent(event, e -> new LinkedBlockingQueue<>());
        }

        /** The arguments of the next {@code event} received. */
        Object[] await(String event) throws InterruptedException {
            return take(queue(event), "'" + event + "'");
        }

        /** The arguments of {@code event} received and not awaited yet. */
        List<List<Object>> received(String event) {
            List<List<Object>> out = new ArrayList<>();
            queue(event).forEach(args -> out.add(Arrays.asList(args)));
            return out;
        }

        /** Emits {@code event} and returns the arguments of the server's acknowledgement. */
        Object[] call(String event, Object... args) throws InterruptedException {
            BlockingQueue<Object[]> answer = new ArrayBlockingQueue<>(1);
            socket.emit(event, args, (Ack) answer::add);
            return take(answer, "ack of '" + event + "'");
        }

        JSONObject whoami() throws InterruptedException {
            return (JSONObject) call("whoami")[0];
        }

        /** From now on, acknowledges every "question" from the server with {@code answer}. */
        void answerQuestionsWith(Object... answer) {
            socket.on("question", args -> ((Ack) args[args.length - 1]).call(answer));
        }

        void close() {
            socket.close();
        }

        private Object[] take(BlockingQueue<Object[]> queue, String what) throws InterruptedException {
            Object[] args = queue.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (args == null) {
                throw new AssertionError("no " + what + " within " + TIMEOUT_SECONDS + " s; disconnects: "
                        + received(Socket.EVENT_DISCONNECT));
            }
            return args;
        }
    }
}
