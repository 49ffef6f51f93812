package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.ConnectionRefusedException;
import org.jsio.socketio.ServerStats;
import org.jsio.socketio.Socket;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.Await;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.ErrorOutput;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many clients at once against embedded Jetty 12 and Tomcat: per-client ordering under load, a
 * blocked handler that holds up only its own client, acknowledgements that come too late, and
 * connect/disconnect churn that must leave nothing behind on the server.
 *
 * <p>Each test has its own {@link SocketIoServer}, mounted under its own path in both containers
 * and configured by the test itself. Waits are bounded so that a hang becomes a failure; no
 * assertion is about how long something took.
 */
class ConcurrencyTest {
    private static final Duration WAIT = NodeClient.TIMEOUT;
    private static final Duration PING_INTERVAL = Duration.ofMillis(300);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT)
            .build();
    private static final Map<String, Deployment> DEPLOYMENTS = new HashMap<>();

    /** One container, with one server per test under its own path. */
    private static final class Deployment implements AutoCloseable {
        final SocketIoServer ordering = SocketIoServer.create();
        final SocketIoServer blocking = fastHeartbeat();
        final SocketIoServer lateAcks = SocketIoServer.create();
        final SocketIoServer churn = fastHeartbeat();
        final EmbeddedContainer container;

        Deployment(String kind) throws Exception {
            container = EmbeddedContainer.create(kind)
                    .mount("/ordering/*", new SocketIoServlet(ordering))
                    .mount("/blocking/*", new SocketIoServlet(blocking))
                    .mount("/late/*", new SocketIoServlet(lateAcks))
                    .mount("/churn/*", new SocketIoServlet(churn))
                    .start(0);
        }

        private static SocketIoServer fastHeartbeat() {
            return SocketIoServer.builder().pingInterval(PING_INTERVAL).pingTimeout(PING_TIMEOUT).build();
        }

        /** The URL the JavaScript client connects to for the main namespace. */
        String url() {
            return container.baseUrl() + "/";
        }

        /** A raw Engine.IO WebSocket URI under {@code path}. */
        URI webSocketUri(String path) {
            return URI.create(container.baseUrl().replaceFirst("^http", "ws") + path
                    + "/?EIO=4&transport=websocket");
        }

        @Override
        public void close() {
            for (SocketIoServer s : List.of(ordering, blocking, lateAcks, churn)) {
                s.close();
            }
            container.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        for (String kind : EmbeddedContainer.KINDS) {
            DEPLOYMENTS.put(kind, new Deployment(kind));
        }
    }

    @AfterAll
    static void stop() {
        DEPLOYMENTS.values().forEach(Deployment::close);
        DEPLOYMENTS.clear();
    }

    /** JavaScript client options: a new connection, no reconnection, served under {@code path}. */
    private static JsonObject options(String path, String transport, String token) {
        JsonObject o = new JsonObject();
        o.addProperty("forceNew", true);
        o.addProperty("reconnection", false);
        o.addProperty("path", path);
        JsonArray transports = new JsonArray();
        if (!"websocket".equals(transport)) {
            transports.add("polling");
        }
        if (!"polling".equals(transport)) {
            transports.add("websocket");
        }
        o.add("transports", transports);
        if (token != null) {
            JsonObject auth = new JsonObject();
            auth.addProperty("token", token);
            o.add("auth", auth);
        }
        return o;
    }

    // ---------------------------------------------------------------- ordering under load

    private static final int CLIENTS = 200;
    private static final int EVENTS = 50;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void eachClientsEventsAreHandledInTheOrderSent(String kind) {
        Deployment d = DEPLOYMENTS.get(kind);
        SocketIoServer server = d.ordering;
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, Set<Integer>> senders = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        Set<String> overlapped = ConcurrentHashMap.newKeySet();
        server.on("seq", (socket, args) -> {
            AtomicInteger inHandler = running.computeIfAbsent(socket.id(), k -> new AtomicInteger());
            if (inHandler.incrementAndGet() != 1) {
                overlapped.add(socket.id());
            }
            try {
                senders.computeIfAbsent(socket.id(), k -> ConcurrentHashMap.newKeySet())
                        .add(((Number) args[0]).intValue());
                simulateUnevenWork();
                seen.computeIfAbsent(socket.id(), k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(((Number) args[1]).intValue());
            } finally {
                inHandler.decrementAndGet();
            }
            return null;
        });
        // handled after every "seq" of this client, if the client's events are handled in order
        server.on("done", (socket, args) -> new ArrayList<>(seen.getOrDefault(socket.id(), List.of())));

        List<Integer> expected = IntStream.range(0, EVENTS).boxed().collect(Collectors.toList());
        try (NodeClient node = NodeClient.start()) {
            String[] ids = new String[CLIENTS];
            String[] sids = new String[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                ids[i] = "ordered-" + i;
                node.connect(ids[i], d.url(), options("/ordering", "websocket", null));
            }
            for (int i = 0; i < CLIENTS; i++) {
                sids[i] = node.awaitConnect(ids[i], WAIT).get("sid").getAsString();
            }
            // every client's events interleaved with everyone else's, none waiting for anything
            for (int n = 0; n < EVENTS; n++) {
                for (int i = 0; i < CLIENTS; i++) {
                    node.emit(ids[i], "seq", i, n);
                }
            }
            int[] doneSeqs = new int[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                doneSeqs[i] = node.emitWithAck(ids[i], "done", WAIT);
            }
            String expectedJson = expected.toString().replace(" ", "");
            for (int i = 0; i < CLIENTS; i++) {
                JsonArray answer = node.awaitAck(ids[i], doneSeqs[i], WAIT).getAsJsonArray("args");
                assertEquals(expectedJson, answer.get(0).toString(), "what the server had seen from client " + i);
            }
            for (int i = 0; i < CLIENTS; i++) {
                assertEquals(expected, seen.get(sids[i]), "sequence recorded for client " + i);
                assertEquals(Set.of(i), senders.get(sids[i]), "events recorded under client " + i + "'s sid");
            }
            assertEquals(CLIENTS, seen.size());
            assertTrue(overlapped.isEmpty(), "handlers of one client overlapped: " + overlapped);
            for (String id : ids) {
                node.disconnect(id);
            }
        }
    }

    /** Handlers of uneven length, so that events handled out of turn would finish out of order. */
    private static void simulateUnevenWork() {
        long end = System.nanoTime() + ThreadLocalRandom.current().nextInt(50_000);
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------- a blocked handler

    /**
     * Heartbeats the blocked raw client must get while blocked: they span more than pingInterval +
     * pingTimeout, after which a client that got no ping (or a server that got no pong) gives up.
     */
    private static final int PINGS_WHILE_BLOCKED = (int) (PING_INTERVAL.plus(PING_TIMEOUT).toMillis()
            / PING_INTERVAL.toMillis()) + 3;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void aBlockedHandlerHoldsUpOnlyItsOwnClient(String kind) throws Exception {
        Deployment d = DEPLOYMENTS.get(kind);
        SocketIoServer server = d.blocking;
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Queue<String> order = new ConcurrentLinkedQueue<>();
        Queue<String> disconnects = new ConcurrentLinkedQueue<>();
        server.on("block", (socket, args) -> {
            order.add("blocked " + args[0]);
            entered.countDown();
            if (!release.await(30, TimeUnit.SECONDS)) {
                order.add("never released " + args[0]);
                return "never released";
            }
            order.add("resumed " + args[0]);
            return "unblocked";
        });
        server.on("echo", (socket, args) -> Ack.of(args));
        server.onDisconnect((socket, reason) -> disconnects.add(socket.id() + " " + reason.text()));

        // released in any case, so that a failing test does not leave two handler threads blocked
        try (NodeClient node = NodeClient.start(); RawSocket raw = RawSocket.open(d.webSocketUri("/blocking"))) {
            // A: the JavaScript client, and a raw client that counts its heartbeats, both blocked
            node.connect("a", d.url(), options("/blocking", "websocket", null));
            node.awaitConnect("a", WAIT);
            int blockSeq = node.emitWithAck("a", "block", Duration.ofSeconds(60), "js");
            raw.joinMainNamespace();
            raw.send("421[\"block\",\"raw\"]");
            assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "both block handlers started");

            // B connects and gets answers while A's handlers are blocked, for as long as it takes
            // the blocked raw client to be pinged PINGS_WHILE_BLOCKED times (and answer each ping)
            node.connect("b", d.url(), options("/blocking", "websocket", null));
            node.awaitConnect("b", WAIT);
            assertEquals(3, server.stats().sockets(), server.stats().toString());
            int pingsAtStart = raw.pings();
            for (int k = 1; k <= PINGS_WHILE_BLOCKED; k++) {
                raw.awaitPings(pingsAtStart + k);
                assertEquals("[" + k + "]", node.call("b", "echo", WAIT, k).toString());
                order.add("b ack " + k);
            }
            assertFalse(order.stream().anyMatch(e -> e.startsWith("resumed")), order.toString());

            order.add("release");
            release.countDown();
            assertEquals("[\"unblocked\"]", node.awaitAck("a", blockSeq, WAIT).getAsJsonArray("args").toString());
            assertEquals("431[\"unblocked\"]", raw.nextMessage());

            List<String> log = List.copyOf(order);
            int released = log.indexOf("release");
            for (int k = 1; k <= PINGS_WHILE_BLOCKED; k++) {
                int ack = log.indexOf("b ack " + k);
                assertTrue(ack >= 0 && ack < released, "B's ack " + k + " observed before the release: " + log);
            }
            for (String who : new String[] {"js", "raw"}) {
                assertTrue(log.indexOf("blocked " + who) < log.indexOf("b ack 1"), log.toString());
                assertTrue(log.indexOf("resumed " + who) > released, log.toString());
            }

            // nobody was disconnected: not A (its heartbeats do not wait for its handlers), not B
            assertEquals("[\"still here\"]", node.call("a", "echo", WAIT, "still here").toString());
            raw.send("422[\"echo\",\"raw still here\"]");
            assertEquals("432[\"raw still here\"]", raw.nextMessage());
            assertEquals(List.of(), disconnectReports(node), "disconnects seen by the JavaScript clients");
            assertEquals(List.of(), List.copyOf(disconnects), "disconnects seen by the server");
            assertEquals(3, server.stats().sockets(), server.stats().toString());
            node.disconnect("a");
            node.disconnect("b");
        } finally {
            release.countDown();
        }
    }

    private static List<JsonObject> disconnectReports(NodeClient node) {
        return node.received().stream()
                .filter(r -> "disconnect".equals(r.get("type").getAsString()))
                .collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- late acknowledgements

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void anAcknowledgementAfterTheTimeoutIsDroppedQuietly(String kind) throws Exception {
        Deployment d = DEPLOYMENTS.get(kind);
        SocketIoServer server = d.lateAcks;
        Queue<String> unexpectedEvents = new ConcurrentLinkedQueue<>();
        server.on("echo", (socket, args) -> Ack.of(args));
        server.on("*", (socket, args) -> {
            unexpectedEvents.add(String.valueOf(args[0]));
            return null;
        });

        try (NodeClient node = NodeClient.start(); ErrorOutput errors = new ErrorOutput()) {
            node.connect("late", d.url(), options("/late", "websocket", null));
            String sid = node.awaitConnect("late", WAIT).get("sid").getAsString();
            Socket socket = server.socket(sid);
            assertNotNull(socket, "server-side socket of " + sid);

            // an answer in time is delivered, and is counted as pending until it arrives
            CompletableFuture<List<Object>> prompt = socket.emitWithAck(Duration.ofSeconds(30), "question", "prompt");
            int promptAckId = node.awaitEvent("late", "question", WAIT).get("ackId").getAsInt();
            assertEquals(1, server.stats().pendingAcks(), server.stats().toString());
            node.ack("late", promptAckId, "in time");
            assertEquals(List.of("in time"), prompt.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, server.stats().pendingAcks(), server.stats().toString());

            // an answer after the timeout: the future fails, and the answer is dropped when it comes
            CompletableFuture<List<Object>> late = socket.emitWithAck(Duration.ofMillis(300), "question", "late");
            JsonObject asked = node.awaitEvent("late", "question", WAIT);
            assertEquals("[\"late\"]", asked.getAsJsonArray("args").toString());
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> late.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, failure.getCause());
            assertEquals(0, server.stats().pendingAcks(), server.stats().toString());

            node.ack("late", asked.get("ackId").getAsInt(), "too late");
            // the client's packets are handled in the order sent: once this is answered, the late
            // acknowledgement has been received and dealt with
            assertEquals("[\"after\"]", node.call("late", "echo", WAIT, "after").toString());

            assertEquals(0, server.stats().pendingAcks(), server.stats().toString());
            assertTrue(late.isCompletedExceptionally());
            assertInstanceOf(TimeoutException.class,
                    assertThrows(ExecutionException.class, late::get).getCause());
            assertEquals(List.of(), List.copyOf(unexpectedEvents), "events the server handled");
            assertNotNull(server.socket(sid), "the client is still connected");
            assertEquals(List.of(), disconnectReports(node), "disconnects seen by the client");
            assertEquals(List.of(), errors.warningsAndErrors(), "warnings and errors logged");
            node.disconnect("late");
        }
    }

    // ---------------------------------------------------------------- churn

    private static final int CHURN_CLIENTS = 300;
    private static final int WAVE = 25;
    private static final int KILLS = 60;
    private static final int ABANDONED_POLLING = 10;
    private static final String[] TRANSPORTS = {"polling", "websocket", "upgrade"};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void churnLeavesNothingBehind(String kind) throws Exception {
        Deployment d = DEPLOYMENTS.get(kind);
        SocketIoServer server = d.churn;
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Map<String, String> left = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger joins = new AtomicInteger();
        AtomicInteger leftTwice = new AtomicInteger();
        server.onConnect((socket, auth) -> {
            if ("bad".equals(auth.get("token"))) {
                refused.incrementAndGet();
                throw new ConnectionRefusedException("not authorized", Map.of("code", 4001));
            }
            socket.enterRoom("everyone");
            accepted.add(socket.id());
        });
        server.onDisconnect((socket, reason) -> {
            if (left.put(socket.id(), reason.text()) != null) {
                leftTwice.incrementAndGet();
            }
        });
        server.on("join", (socket, args) -> {
            for (Object room : args) {
                socket.enterRoom((String) room);
            }
            joins.incrementAndGet();
            return new ArrayList<>(socket.rooms());
        });
        server.on("echo", (socket, args) -> Ack.of(args));

        // sids the clients were told they had; each must get its disconnect handler call
        Set<String> confirmedToJs = ConcurrentHashMap.newKeySet();
        Set<String> confirmedToRaw = ConcurrentHashMap.newKeySet();
        ExecutorService rawClients = Executors.newFixedThreadPool(4);
        try (NodeClient node = NodeClient.start(); ErrorOutput errors = new ErrorOutput()) {
            List<Future<?>> raw = new ArrayList<>();
            for (int k = 0; k < KILLS; k++) {
                int variant = k;
                raw.add(rawClients.submit(() -> {
                    killWebSocket(d, variant, confirmedToRaw);
                    return null;
                }));
            }
            for (int k = 0; k < ABANDONED_POLLING; k++) {
                boolean readConfirmation = k % 2 == 0;
                raw.add(rawClients.submit(() -> {
                    abandonPolling(d, readConfirmation, confirmedToRaw);
                    return null;
                }));
            }

            int expectedRefusals = 0;
            int expectedJoins = 0;
            for (int start = 0; start < CHURN_CLIENTS; start += WAVE) {
                int end = Math.min(CHURN_CLIENTS, start + WAVE);
                for (int i = start; i < end; i++) {
                    node.connect(churnId(i), d.url(),
                            options("/churn", TRANSPORTS[i % 3], isRefused(i) ? "bad" : "good"));
                }
                Map<Integer, Integer> joinSeqs = new HashMap<>();
                for (int i = start; i < end; i++) {
                    String id = churnId(i);
                    JsonObject outcome = connectOutcome(node, id);
                    if (isRefused(i)) {
                        expectedRefusals++;
                        assertEquals("connect_error", string(outcome, "type"), outcome.toString());
                        assertEquals("not authorized", string(outcome, "message"), outcome.toString());
                        continue;
                    }
                    assertEquals("connect", string(outcome, "type"), outcome.toString());
                    confirmedToJs.add(string(outcome, "sid"));
                    if (joinsRooms(i)) {
                        expectedJoins++;
                        joinSeqs.put(i, node.emitWithAck(id, "join", WAIT, "room-" + (i % 7), "solo-" + i));
                    }
                }
                for (int i = start; i < end; i++) {
                    if (talks(i)) {
                        if ("upgrade".equals(TRANSPORTS[i % 3])) {
                            node.awaitType("upgrade", churnId(i), WAIT);
                        }
                        assertEquals("[" + i + "]", node.call(churnId(i), "echo", WAIT, i).toString());
                    }
                }
                for (Map.Entry<Integer, Integer> join : joinSeqs.entrySet()) {
                    int i = join.getKey();
                    String rooms = node.awaitAck(churnId(i), join.getValue(), WAIT).getAsJsonArray("args")
                            .toString();
                    assertTrue(rooms.contains("\"room-" + (i % 7) + "\"") && rooms.contains("\"solo-" + i + "\""),
                            rooms);
                }
                for (int i = start; i < end; i++) {
                    if (!isRefused(i)) {
                        node.disconnect(churnId(i));
                    }
                }
            }
            for (Future<?> f : raw) {
                f.get(30, TimeUnit.SECONDS);
            }

            // while the Node.js process still runs, so that nothing is cleaned up by its exit
            awaitCondition(() -> server.stats().isEmpty(), Duration.ofSeconds(20),
                    () -> "server still holds " + server.stats() + " after every client left");
            ServerStats stats = server.stats();
            assertTrue(stats.isEmpty(), stats.toString());
            assertEquals(0, server.of("/").roomCount());
            assertEquals(0, server.of("/").sockets().size());

            assertEquals(expectedRefusals, refused.get(), "refused by the connect handler");
            assertEquals(expectedJoins + KILLS / 3, joins.get(), "room joins");
            assertEquals(CHURN_CLIENTS - expectedRefusals, confirmedToJs.size());
            assertEquals(KILLS * 2 / 3 + ABANDONED_POLLING / 2, confirmedToRaw.size(), "raw clients confirmed");
            for (String sid : confirmedToJs) {
                assertEquals("client disconnect", left.get(sid), "disconnect reason of JavaScript client " + sid);
            }
            for (String sid : confirmedToRaw) {
                assertNotNull(left.get(sid), "disconnect handler of raw client " + sid);
            }
            assertTrue(accepted.containsAll(left.keySet()), "disconnect handler ran for a socket never accepted");
            assertEquals(0, leftTwice.get(), "disconnect handlers run twice for one socket");
            assertEquals(List.of(), errors.warningsAndErrors(), "warnings and errors logged");
        } finally {
            rawClients.shutdownNow();
        }
    }

    /** The {@code connect} or {@code connect_error} report of a client. */
    private static JsonObject connectOutcome(NodeClient node, String id) {
        try {
            return node.await(r -> id.equals(string(r, "id"))
                    && ("connect".equals(string(r, "type")) || "connect_error".equals(string(r, "type"))), WAIT);
        } catch (AssertionError e) {
            List<JsonObject> mine = node.received().stream().filter(r -> id.equals(string(r, "id")))
                    .collect(Collectors.toList());
            throw new AssertionError("no connect outcome for " + id + "; its reports: " + mine, e);
        }
    }

    private static String churnId(int i) {
        return "churn-" + i;
    }

    private static boolean isRefused(int i) {
        return (i / 3) % 4 == 0;
    }

    private static boolean joinsRooms(int i) {
        return (i / 3) % 4 == 1;
    }

    /** Whether client {@code i} waits for its upgrade, if any, and makes a round trip before leaving. */
    private static boolean talks(int i) {
        return (i / 3) % 4 == 3;
    }

    private static String string(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : null;
    }

    /**
     * Opens a raw WebSocket session, joins the main namespace and drops the TCP connection without
     * a close frame: right after asking to join (variant 0), once joined (1), or once in two rooms (2).
     */
    private static void killWebSocket(Deployment d, int variant, Set<String> confirmed) throws Exception {
        RawSocket raw = RawSocket.open(d.webSocketUri("/churn"));
        try {
            if (variant % 3 == 0) {
                raw.awaitOpenPacket();
                raw.send("40").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                confirmed.add(raw.joinMainNamespace());
                if (variant % 3 == 2) {
                    raw.send("420[\"join\",\"kill-" + variant + "\",\"kills\"]");
                    String ack = raw.nextMessage();
                    assertTrue(ack.startsWith("430[") && ack.contains("\"kill-" + variant + "\""), ack);
                }
            }
        } finally {
            raw.abort();
        }
    }

    /**
     * Opens a polling session and joins the main namespace, optionally polls until the server
     * confirms (answering pings on the way), then never polls again.
     */
    private static void abandonPolling(Deployment d, boolean readConfirmation, Set<String> confirmed) throws Exception {
        String endpoint = d.container.baseUrl() + "/churn/?EIO=4&transport=polling";
        String open = httpText(HttpRequest.newBuilder(URI.create(endpoint)).GET());
        assertTrue(open.startsWith("0{"), open);
        String engineSid = JsonParser.parseString(open.substring(1)).getAsJsonObject().get("sid").getAsString();
        URI session = URI.create(endpoint + "&sid=" + engineSid);
        assertEquals("ok", httpText(HttpRequest.newBuilder(session).POST(HttpRequest.BodyPublishers.ofString("40"))));
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean waiting = readConfirmation;
        while (waiting) {
            assertTrue(System.nanoTime() - deadline < 0, "no CONNECT confirmation for polling session " + engineSid);
            for (String packet : httpText(HttpRequest.newBuilder(session).GET()).split("\u001e")) {
                if ("2".equals(packet)) {
                    assertEquals("ok", httpText(HttpRequest.newBuilder(session)
                            .POST(HttpRequest.BodyPublishers.ofString("3"))));
                } else {
                    assertTrue(packet.startsWith("40{"), packet);
                    confirmed.add(JsonParser.parseString(packet.substring(2)).getAsJsonObject()
                            .get("sid").getAsString());
                    waiting = false;
                }
            }
        }
    }

    /** Sends a request and returns the body of its 200 response. */
    private static String httpText(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = HTTP.send(
                request.timeout(WAIT).header("Content-Type", "text/plain;charset=UTF-8").build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes. */
    private static void awaitCondition(BooleanSupplier condition, Duration timeout, Supplier<String> message)
            throws InterruptedException {
        Await.until(condition, timeout, message);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A raw Engine.IO WebSocket client: answers every ping with a pong and counts the pings, and
     * queues every other message (and the close or failure of the connection) in arrival order.
     */
    private static final class RawSocket implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final Object pingLock = new Object();
        private int pings;
        private boolean ended;
        private volatile WebSocket socket;
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
        private boolean openPacketSeen;

        static RawSocket open(URI uri) throws Exception {
            RawSocket raw = new RawSocket();
            HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, raw)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return raw;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if ("2".equals(text)) {
                    send("3");
                    synchronized (pingLock) {
                        pings++;
                        pingLock.notifyAll();
                    }
                } else {
                    messages.add(text);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended("(closed " + statusCode + " " + reason + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended("(failed " + error + ")");
        }

        private void ended(String how) {
            messages.add(how);
            synchronized (pingLock) {
                ended = true;
                pingLock.notifyAll();
            }
        }

        /** Sends a text frame after the ones sent before it. */
        synchronized CompletableFuture<?> send(String text) {
            sending = sending.handle((ignored, failure) -> null).thenCompose(ignored -> socket.sendText(text, true));
            return sending;
        }

        /** The next message that is not a ping. */
        String nextMessage() throws InterruptedException {
            String m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                fail("nothing received on the raw WebSocket within " + WAIT);
            }
            return m;
        }

        /** Reads the Engine.IO open packet. */
        void awaitOpenPacket() throws InterruptedException {
            if (!openPacketSeen) {
                String open = nextMessage();
                assertTrue(open.startsWith("0{"), open);
                openPacketSeen = true;
            }
        }

        /** Joins the main namespace and returns the socket id the server confirmed. */
        String joinMainNamespace() throws Exception {
            awaitOpenPacket();
            send("40").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            String confirmation = nextMessage();
            assertTrue(confirmation.startsWith("40{"), confirmation);
            return JsonParser.parseString(confirmation.substring(2)).getAsJsonObject().get("sid").getAsString();
        }

        /** How many pings arrived (and were answered) so far. */
        int pings() {
            synchronized (pingLock) {
                return pings;
            }
        }

        /** Waits until {@code count} pings have arrived in all. */
        void awaitPings(int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            synchronized (pingLock) {
                while (pings < count) {
                    long left = deadline - System.nanoTime();
                    if (ended || left <= 0) {
                        String when = ended ? "before the connection ended" : "within " + WAIT;
                        fail("ping " + count + " did not arrive " + when + "; messages: " + messages);
                    }
                    TimeUnit.NANOSECONDS.timedWait(pingLock, left);
                }
            }
        }

        /** Drops the connection without a close frame. */
        void abort() {
            WebSocket s = socket;
            if (s != null) {
                s.abort();
            }
        }

        @Override
        public void close() {
            abort();
        }
    }
}
