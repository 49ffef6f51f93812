package org.jsio.testing.it;

import static org.jsio.testing.it.RawClient.SEP;
import static org.jsio.testing.it.RawClient.assertEmpty;
import static org.jsio.testing.it.RawClient.assertError;
import static org.jsio.testing.it.RawClient.await;
import static org.jsio.testing.it.RawClient.polling;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.Namespace;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.it.RawClient.Ws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wire protocol of a Socket.IO server in real servlet containers, byte for byte, against the
 * protocol digest ({@code PROTOCOL.md}): raw HTTP long-polling and raw WebSocket frames, no
 * Socket.IO client library in between. Every test runs on embedded Jetty and on Tomcat.
 *
 * <p>Each container serves two servers configured like the conformance test server (§0), with
 * a small {@code maxHttpBufferSize} for the limit tests:
 * <ul>
 *   <li>{@code /socket.io/}: pingInterval 300 ms, pingTimeout 1000 ms, so a test has time to do
 *       its work between heartbeats;</li>
 *   <li>{@code /strict/}: pingInterval 300 ms, pingTimeout 200 ms, the conformance values, for the
 *       heartbeat tests.</li>
 * </ul>
 */
class RawProtocolTest {
    private static final int MAX = 1000;
    private static final Duration PING_INTERVAL = Duration.ofMillis(300);
    private static final Pattern CONNECTED = Pattern.compile("40(/[^,]*,)?\\{\"sid\":\"([^\"]+)\"}");
    private static final String AUTH = "42[\"auth\",{}]";
    private static final String BINARY_PLACEHOLDER_0 = "{\"_placeholder\":true,\"num\":0}";
    private static final String BINARY_PLACEHOLDER_1 = "{\"_placeholder\":true,\"num\":1}";

    private static final Map<String, Fixture> FIXTURES = new LinkedHashMap<>();

    /** One container serving the two servers. */
    private static final class Fixture implements AutoCloseable {
        final SocketIoServer server = server(Duration.ofMillis(1000));
        final SocketIoServer strictServer = server(Duration.ofMillis(200));
        final EmbeddedContainer container;
        final RawClient io;
        final RawClient strict;

        Fixture(String kind) throws Exception {
            container = EmbeddedContainer.create(kind)
                    .mount("/socket.io/*", new SocketIoServlet(server.engine()))
                    .mount("/strict/*", new SocketIoServlet(strictServer.engine()))
                    .start(0);
            io = new RawClient(container.baseUrl() + "/socket.io/");
            strict = new RawClient(container.baseUrl() + "/strict/");
        }

        @Override
        public void close() {
            container.close();
            server.close();
            strictServer.close();
        }
    }

    /**
     * The conformance server of PROTOCOL.md §0, with a small buffer limit and a connect timeout
     * long enough not to end sessions that take their time before joining a namespace.
     */
    private static SocketIoServer server(Duration pingTimeout) {
        SocketIoServer server = SocketIoServer.builder()
                .pingInterval(PING_INTERVAL)
                .pingTimeout(pingTimeout)
                .maxHttpBufferSize(MAX)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        configure(server.of("/"));
        configure(server.of("/custom"));
        return server;
    }

    private static void configure(Namespace nsp) {
        nsp.onConnect((socket, auth) -> socket.emit("auth", auth));
        nsp.on("message", (socket, args) -> {
            socket.emit("message-back", args);
            return null;
        });
        nsp.on("message-with-ack", (socket, args) -> Ack.of(args));
    }

    @BeforeAll
    static void startContainers() throws Exception {
        for (String kind : EmbeddedContainer.WEBSOCKET_KINDS) {
            FIXTURES.put(kind, new Fixture(kind));
        }
    }

    @AfterAll
    static void stopContainers() {
        FIXTURES.values().forEach(Fixture::close);
        FIXTURES.clear();
    }

    static Stream<String> containers() {
        return Stream.of(EmbeddedContainer.KINDS);
    }

    /** For the WebSocket transport's own tests: Jetty also with its WebSocket core switched off. */
    static Stream<String> webSocketContainers() {
        return Stream.of(EmbeddedContainer.WEBSOCKET_KINDS);
    }

    private static RawClient io(String kind) {
        return FIXTURES.get(kind).io;
    }

    private static RawClient strict(String kind) {
        return FIXTURES.get(kind).strict;
    }

    // ================================================================ helpers

    /** Asserts a CONNECT reply carrying only a socket id that is not the Engine.IO sid. */
    private static String assertConnected(String reply, String namespace, String engineSid) {
        Matcher m = CONNECTED.matcher(reply);
        assertTrue(m.matches(), () -> "not a CONNECT reply with only a sid: " + reply);
        String nsp = m.group(1) == null ? "/" : m.group(1).substring(0, m.group(1).length() - 1);
        assertEquals(namespace, nsp, reply);
        assertNotEquals(engineSid, m.group(2), "the socket id must not be the Engine.IO sid");
        return m.group(2);
    }

    /** A WebSocket session connected to the main namespace, its auth event consumed. */
    private static Ws connectedWebSocket(RawClient client) throws Exception {
        Ws ws = client.openWebSocketSession();
        ws.send("40");
        assertConnected(ws.nextMessage(), "/", ws.engineSid);
        assertEquals(AUTH, ws.nextMessage());
        return ws;
    }

    /** A well-behaved client completes a connect and an acknowledged round trip. */
    private static void assertStillServes(RawClient client) throws Exception {
        try (Ws ws = connectedWebSocket(client)) {
            ws.send("421[\"message-with-ack\",\"still h\u00e9re\"]");
            assertEquals("431[\"still h\u00e9re\"]", ws.nextMessage());
        }
        String sid = client.handshake();
        assertOk(client.post(polling(sid), "40"));
        List<String> packets = client.poll(sid, 2);
        assertConnected(packets.get(0), "/", sid);
        assertEquals(AUTH, packets.get(1));
        assertOk(client.post(polling(sid), "1"));
    }

    private static void assertOk(HttpResponse<String> post) {
        assertEquals(200, post.statusCode(), post.body());
        assertEquals("ok", post.body());
    }

    private static void assertSessionGone(RawClient client, String sid) throws Exception {
        assertError(client.get(polling(sid)), 400, 1, "Session ID unknown");
    }

    /**
     * Asserts {@code text/plain; charset=UTF-8} as HTTP compares it (RFC 9110 §8.3.1: type,
     * parameter name and charset value are case-insensitive, whitespace around {@code ;} is
     * optional); containers rewrite the header's spelling.
     */
    private static void assertTextPlainUtf8(String contentType) {
        assertTrue(contentType != null, "no Content-Type");
        String[] parts = contentType.split(";");
        assertEquals(2, parts.length, contentType);
        assertEquals("text/plain", parts[0].trim().toLowerCase(Locale.ROOT), contentType);
        assertEquals("charset=utf-8", parts[1].trim().toLowerCase(Locale.ROOT), contentType);
    }

    /** A string of exactly {@code bytes} UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters. */
    private static String utf8Filler(int bytes) {
        StringBuilder sb = new StringBuilder();
        int left = bytes;
        String[] chars = {"\ud83d\ude00", "\u20ac", "\u00e9"};
        int i = 0;
        while (left > 4) {
            String c = chars[i++ % chars.length];
            sb.append(c);
            left -= c.getBytes(StandardCharsets.UTF_8).length;
        }
        sb.append("a".repeat(left));
        assertEquals(bytes, sb.toString().getBytes(StandardCharsets.UTF_8).length);
        return sb.toString();
    }

    /** A {@code message} event whose encoding is exactly {@code bytes} UTF-8 bytes long. */
    private static String messageOfBytes(int bytes) {
        String frame = "42[\"message\",\"\"]";
        String filler = utf8Filler(bytes - frame.length());
        String text = "42[\"message\",\"" + filler + "\"]";
        assertEquals(bytes, text.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(text.length() < bytes, "the filler must contain multi-byte characters");
        return text;
    }

    /**
     * Opens a WebSocket that the server must refuse: either with an HTTP status before the
     * upgrade (returned), or by closing it right after (the close code, negated, is returned).
     */
    private static int refusedWebSocket(RawClient client, String query, Map<String, String> headers)
            throws Exception {
        Ws ws;
        try {
            ws = client.webSocket(query, headers);
        } catch (WebSocketHandshakeException e) {
            return e.getResponse().statusCode();
        }
        try (ws) {
            return -ws.awaitClose();
        }
    }

    // ================================================================ §1.10 error table

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void unsupportedProtocolVersionIsRefusedWithCode5(String kind) throws Exception {
        RawClient c = io(kind);
        for (String query : List.of("transport=polling", "EIO=3&transport=polling", "EIO=abc&transport=polling",
                "EIO=5&transport=polling", "EIO=&transport=polling")) {
            assertError(c.get(query), 400, 5, "Unsupported protocol version");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void unknownOrMissingTransportIsRefusedWithCode0(String kind) throws Exception {
        RawClient c = io(kind);
        for (String query : List.of("EIO=4", "EIO=4&transport=", "EIO=4&transport=flashsocket",
                "EIO=4&transport=POLLING")) {
            assertError(c.get(query), 400, 0, "Transport unknown");
        }
        String sid = c.handshake();
        assertError(c.get("EIO=4&transport=xhr&sid=" + sid), 400, 0, "Transport unknown");
        assertError(c.post("EIO=4&sid=" + sid, "3"), 400, 0, "Transport unknown");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void handshakeWithAnotherMethodThanGetIsRefusedWithCode2(String kind) throws Exception {
        RawClient c = io(kind);
        HttpResponse<String> post = c.post("EIO=4&transport=polling", "40");
        assertError(post, 400, 2, "Bad handshake method");
        HttpResponse<String> put = RawClient.send(c.request("EIO=4&transport=polling")
                .PUT(HttpRequest.BodyPublishers.ofString("40")).build());
        assertError(put, 400, 2, "Bad handshake method");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void unknownSidIsRefusedWithCode1(String kind) throws Exception {
        RawClient c = io(kind);
        assertError(c.get(polling("not-a-session")), 400, 1, "Session ID unknown");
        assertError(c.post(polling("not-a-session"), "40"), 400, 1, "Session ID unknown");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void sessionClosedByTheClientIsUnknownAfterwards(String kind) throws Exception {
        RawClient c = io(kind);
        String sid = c.handshake();
        assertOk(c.post(polling(sid), "1"));
        // A poll the client sent before its close may be handled after it (another container
        // thread): the first poll gets the noop a held poll would have got; then the session is
        // gone for every request (§1.8).
        assertError(c.post(polling(sid), "40"), 400, 1, "Session ID unknown");
        HttpResponse<String> lastPoll = c.get(polling(sid));
        assertEquals(200, lastPoll.statusCode());
        assertEquals("6", lastPoll.body());
        assertSessionGone(c, sid);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void webSocketTransportWithoutAnUpgradeIsRefusedWithCode3(String kind) throws Exception {
        RawClient c = io(kind);
        assertError(c.get("EIO=4&transport=websocket"), 400, 3, "Bad request");
        String sid = c.handshake();
        assertError(c.get("EIO=4&transport=websocket&sid=" + sid), 400, 3, "Bad request");
        // the polling session is not affected
        assertOk(c.post(polling(sid), "40"));
        assertConnected(c.poll(sid, 2).get(0), "/", sid);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void pollingForAWebSocketSessionIsRefusedWithCode3(String kind) throws Exception {
        RawClient c = io(kind);
        try (Ws ws = connectedWebSocket(c)) {
            String sid = ws.engineSid;
            assertError(c.get(polling(sid)), 400, 3, "Bad request");
            assertError(c.post(polling(sid), "42[\"message\",\"via polling\"]"), 400, 3, "Bad request");
            // the WebSocket session carries on
            ws.send("42[\"message\",\"via websocket\"]");
            assertEquals("42[\"message-back\",\"via websocket\"]", ws.nextMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void foreignOriginIsRefusedWithCode3AndSameOriginIsAccepted(String kind) throws Exception {
        RawClient c = io(kind);
        String foreign = "http://evil.example";
        String same = FIXTURES.get(kind).container.baseUrl();

        HttpResponse<String> refused = RawClient.send(c.request("EIO=4&transport=polling")
                .header("Origin", foreign).GET().build());
        assertError(refused, 400, 3, "Bad request");

        HttpResponse<String> accepted = RawClient.send(c.request("EIO=4&transport=polling")
                .header("Origin", same).GET().build());
        assertEquals(200, accepted.statusCode(), accepted.body());
        String sid = RawClient.openPacketSid(accepted.body());

        String noOrigin = c.handshake();
        assertNotEquals(sid, noOrigin);

        // an existing session is not reachable from a foreign origin either
        HttpResponse<String> foreignPost = RawClient.send(c.request(polling(sid)).header("Origin", foreign)
                .POST(HttpRequest.BodyPublishers.ofString("40")).build());
        assertError(foreignPost, 400, 3, "Bad request");
        HttpResponse<String> samePost = RawClient.send(c.request(polling(sid)).header("Origin", same)
                .POST(HttpRequest.BodyPublishers.ofString("40")).build());
        assertOk(samePost);
        assertConnected(c.poll(sid, 2).get(0), "/", sid);

        // and neither is the WebSocket transport
        assertEquals(400, refusedWebSocket(c, "EIO=4&transport=websocket", Map.of("Origin", foreign)));
        try (Ws ws = c.webSocket("EIO=4&transport=websocket", Map.of("Origin", same))) {
            RawClient.openPacketSid(ws.nextText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void overlappingGetIsRefusedAndClosesTheSession(String kind) throws Exception {
        RawClient c = io(kind);
        for (int attempt = 1; ; attempt++) {
            String sid = c.handshake();
            CompletableFuture<HttpResponse<String>> first = c.getAsync(polling(sid));
            CompletableFuture<HttpResponse<String>> second = c.getAsync(polling(sid));
            HttpResponse<String> a = await(first);
            if (a.statusCode() == 200 && "2".equals(a.body()) && attempt < 3) {
                // the first heartbeat answered the first poll before the second one arrived
                assertOk(c.post(polling(sid), "1"));
                await(second);
                continue;
            }
            HttpResponse<String> b = await(second);
            // whichever reached the server second is the overlap; the held one receives the close
            HttpResponse<String> held = a.statusCode() == 400 ? b : a;
            HttpResponse<String> overlap = held == a ? b : a;
            assertEmpty(overlap, 400);
            assertEquals(200, held.statusCode(), held.body());
            assertEquals("1", held.body());
            assertSessionGone(c, sid);
            break;
        }
        assertStillServes(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void overlappingPostIsRefusedAndClosesTheSession(String kind) throws Exception {
        RawClient c = io(kind);
        // "Expect: 100-continue" holds the first POST's body until the container asks for it,
        // so that POST is still in flight when the second one arrives.
        for (int attempt = 1; ; attempt++) {
            String sid = c.handshake();
            HeldBody body = new HeldBody("40");
            CompletableFuture<HttpResponse<String>> pending = RawClient.sendAsync(c.request(polling(sid))
                    .expectContinue(true)
                    .header("Content-Type", "text/plain;charset=UTF-8")
                    .POST(body).build());
            assertTrue(body.requested.await(RawClient.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    "the server never asked for the first POST's body");
            HttpResponse<String> second = c.post(polling(sid), "42[\"message\",\"overlap\"]");
            body.release.complete(null);
            HttpResponse<String> first = await(pending);
            boolean overlapped = first.statusCode() == 400 || second.statusCode() == 400;
            if (!overlapped && attempt < 3) {
                // both were handled one after the other (the container may answer 100 before it
                // dispatches the request): no overlap happened, try again
                assertOk(first);
                assertOk(second);
                assertOk(c.post(polling(sid), "1"));
                continue;
            }
            // whichever reached the server second is the overlap
            assertEmpty(second.statusCode() == 400 ? second : first, 400);
            assertSessionGone(c, sid);
            break;
        }
        assertStillServes(c);
    }

    /** A request body that is only sent once {@link #release} completes. */
    private static final class HeldBody implements HttpRequest.BodyPublisher {
        final CountDownLatch requested = new CountDownLatch(1);
        final CompletableFuture<Void> release = new CompletableFuture<>();
        private final byte[] data;

        HeldBody(String text) {
            this.data = text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public long contentLength() {
            return data.length;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            AtomicBoolean sent = new AtomicBoolean();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    requested.countDown();
                    if (sent.compareAndSet(false, true)) {
                        release.thenRun(() -> {
                            subscriber.onNext(ByteBuffer.wrap(data));
                            subscriber.onComplete();
                        });
                    }
                }

                @Override
                public void cancel() {
                }
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void postOverTheLimitIs413AndTheSessionStaysUsable(String kind) throws Exception {
        RawClient c = io(kind);
        String sid = c.handshake();
        assertOk(c.post(polling(sid), "40"));
        List<String> connected = c.poll(sid, 2);
        assertConnected(connected.get(0), "/", sid);

        // counted in bytes: fewer than MAX characters, one byte too many
        String over = messageOfBytes(MAX + 1);
        assertEmpty(c.post(polling(sid), over), 413);

        // exactly MAX bytes is accepted and delivered intact
        String exact = messageOfBytes(MAX);
        assertOk(c.post(polling(sid), exact));
        assertEquals(List.of(exact.replace("\"message\"", "\"message-back\"")), c.poll(sid, 1));

        // several packets adding up to MAX bytes, separators included
        String small = messageOfBytes(100);
        String batch = small + SEP + messageOfBytes(MAX - 101);
        assertEquals(MAX, batch.getBytes(StandardCharsets.UTF_8).length);
        assertOk(c.post(polling(sid), batch));
        assertEquals(small.replace("\"message\"", "\"message-back\""), c.poll(sid, 2).get(0));
        assertEmpty(c.post(polling(sid), batch + "a"), 413);

        assertOk(c.post(polling(sid), "421[\"message-with-ack\",\"after 413\"]"));
        assertEquals(List.of("431[\"after 413\"]"), c.poll(sid, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void binaryPostIsRefusedAndClosesTheSession(String kind) throws Exception {
        RawClient c = io(kind);
        String sid = c.handshake();
        HttpResponse<String> r = RawClient.send(c.request(polling(sid))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {4, 1, 2, 3})).build());
        assertEmpty(r, 400);
        assertSessionGone(c, sid);
        assertStillServes(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void otherMethodOnAnExistingSessionIs500(String kind) throws Exception {
        RawClient c = io(kind);
        String sid = c.handshake();
        HttpResponse<String> r = RawClient.send(c.request(polling(sid))
                .PUT(HttpRequest.BodyPublishers.ofString("40")).build());
        assertEmpty(r, 500);
        HttpResponse<String> delete = RawClient.send(c.request(polling(sid)).DELETE().build());
        assertEmpty(delete, 500);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void invalidPacketOverPollingClosesTheSession(String kind) throws Exception {
        RawClient c = io(kind);
        String sid = c.handshake();
        HttpResponse<String> r = c.post(polling(sid), "abc");
        assertEquals(200, r.statusCode(), r.body());
        assertSessionGone(c, sid);

        String emptyPayload = c.handshake();
        c.post(polling(emptyPayload), "");
        assertSessionGone(c, emptyPayload);
        assertStillServes(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("webSocketContainers")
    void webSocketHandshakeErrorsRefuseTheSocket(String kind) throws Exception {
        RawClient c = io(kind);
        // an HTTP error before the upgrade, or an accepted socket closed at once (§1.9)
        for (String query : List.of("EIO=3&transport=websocket", "transport=websocket", "EIO=4&transport=foo",
                "EIO=4&transport=websocket&sid=not-a-session")) {
            int outcome = refusedWebSocket(c, query, Map.of());
            assertTrue(outcome == 400 || outcome <= 0, query + " -> " + outcome);
        }
    }

    // ================================================================ §1.4 polling payloads

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void pollingPayloadsCarryTextAndBinaryPackets(String kind) throws Exception {
        RawClient c = io(kind);
        String sid = c.handshake();
        assertOk(c.post(polling(sid), "40"));
        List<String> connected = c.poll(sid, 2);
        assertConnected(connected.get(0), "/", sid);
        assertEquals(AUTH, connected.get(1));

        String text = "h\u00e9\u20ac\ud83d\ude00";
        assertOk(c.post(polling(sid), "42[\"message\",\"" + text + "\"]"
                + SEP + "451-[\"message\"," + BINARY_PLACEHOLDER_0 + "]"
                + SEP + "bAQIDBA=="));
        List<HttpResponse<String>> responses = c.pollUntil(sid, 3);
        assertEquals(List.of("42[\"message-back\",\"" + text + "\"]",
                        "451-[\"message-back\"," + BINARY_PLACEHOLDER_0 + "]",
                        "bAQIDBA=="),
                RawClient.withoutPings(responses));
        // a binary event and its attachment are queued together, so they share one payload
        assertTrue(responses.stream().anyMatch(r -> r.body().endsWith(
                        "451-[\"message-back\"," + BINARY_PLACEHOLDER_0 + "]" + SEP + "bAQIDBA==")),
                () -> "attachment not joined to its packet: " + responses.stream().map(HttpResponse::body).toList());
        for (HttpResponse<String> r : responses) {
            assertTextPlainUtf8(r.headers().firstValue("Content-Type").orElse(null));
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
            assertEquals(String.valueOf(r.body().getBytes(StandardCharsets.UTF_8).length),
                    r.headers().firstValue("Content-Length").orElse(null));
        }

        // binary in an acknowledgement, with two attachments spread over the payload
        assertOk(c.post(polling(sid), "452-7[\"message-with-ack\"," + BINARY_PLACEHOLDER_0 + ",\"" + text + "\","
                + BINARY_PLACEHOLDER_1 + "]" + SEP + "bAQI=" + SEP + "bAwQFBg=="));
        assertEquals(List.of("462-7[" + BINARY_PLACEHOLDER_0 + ",\"" + text + "\"," + BINARY_PLACEHOLDER_1 + "]",
                "bAQI=", "bAwQFBg=="), c.poll(sid, 3));
    }

    // ================================================================ §1.6 heartbeat

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void pollingPongKeepsTheSession(String kind) throws Exception {
        RawClient c = strict(kind);
        String sid = c.handshake();
        // three heartbeats outlast pingInterval + pingTimeout several times over
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ping = c.get(polling(sid));
            assertEquals(200, ping.statusCode(), ping.body());
            assertEquals("2", ping.body());
            assertOk(c.post(polling(sid), "3"));
        }
        assertEquals("2", c.get(polling(sid)).body());
        assertOk(c.post(polling(sid), "1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void pollingWithoutPongLosesTheSession(String kind) throws Exception {
        RawClient c = strict(kind);
        String sid = c.handshake();
        HttpResponse<String> ping = c.get(polling(sid));
        assertEquals(200, ping.statusCode(), ping.body());
        assertEquals("2", ping.body());
        // no pong: a poll held at the deadline receives the close packet; one arriving after
        // the deadline finds no session
        HttpResponse<String> last = c.get(polling(sid));
        if (last.statusCode() == 200) {
            assertEquals("1", last.body());
        } else {
            assertError(last, 400, 1, "Session ID unknown");
        }
        assertSessionGone(c, sid);
        assertError(c.post(polling(sid), "3"), 400, 1, "Session ID unknown");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("webSocketContainers")
    void webSocketPongKeepsTheSessionAndMissingPongClosesIt(String kind) throws Exception {
        RawClient c = strict(kind);
        try (Ws ws = c.openWebSocketSession()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("2", ws.nextText());
                ws.send("3");
            }
            ws.send("40");
            assertConnected(ws.nextMessage(), "/", ws.engineSid);
            assertEquals(AUTH, ws.nextMessage());
            // stop answering: pings keep coming until the server gives up and closes the socket
            assertEquals("2", ws.nextText());
            ws.awaitCloseWithoutPong();
        }
        assertStillServes(c);
    }

    // ================================================================ §1.7 upgrade

    @ParameterizedTest(name = "{0}")
    @MethodSource("webSocketContainers")
    void pollingUpgradesToWebSocket(String kind) throws Exception {
        RawClient c = io(kind);
        String sid = c.handshake();
        assertOk(c.post(polling(sid), "40"));
        String socketId = assertConnected(c.poll(sid, 2).get(0), "/", sid);

        CompletableFuture<HttpResponse<String>> held = c.getAsync(polling(sid));
        try (Ws ws = c.webSocket("EIO=4&transport=websocket&sid=" + sid)) {
            ws.send("2probe");
            assertEquals("3probe", ws.nextText());

            // the pending poll is released with a noop (after a ping, if one was already due)
            HttpResponse<String> poll = await(held);
            while (poll.statusCode() == 200 && "2".equals(poll.body())) {
                assertOk(c.post(polling(sid), "3"));
                poll = c.get(polling(sid));
            }
            assertEquals(200, poll.statusCode(), poll.body());
            assertEquals("6", poll.body());

            // a second WebSocket while the upgrade is in progress is refused or closed
            int probing = refusedWebSocket(c, "EIO=4&transport=websocket&sid=" + sid, Map.of());
            assertTrue(probing == 400 || probing <= 0, "WebSocket during the upgrade: " + probing);

            // until the client sends 5, the server's output still goes to polling (polls that
            // find nothing to carry are released with a noop while the upgrade is pending)
            assertOk(c.post(polling(sid), "422[\"message-with-ack\",\"before upgrade\"]"));
            List<String> beforeUpgrade = new ArrayList<>();
            for (int polls = 0; !beforeUpgrade.contains("432[\"before upgrade\"]"); polls++) {
                assertTrue(polls < 1000, "no ack over polling: " + beforeUpgrade);
                HttpResponse<String> r = c.get(polling(sid));
                assertEquals(200, r.statusCode(), r.body());
                for (String p : RawClient.packets(r.body())) {
                    if ("2".equals(p)) {
                        assertOk(c.post(polling(sid), "3"));
                    } else if (!"6".equals(p)) {
                        beforeUpgrade.add(p);
                    }
                }
            }
            assertEquals(List.of("432[\"before upgrade\"]"), beforeUpgrade);

            ws.send("5");
            // nothing of the above leaks onto the WebSocket: the next message is the answer to this
            ws.send("42[\"message\",\"over websocket\"]");
            assertEquals("42[\"message-back\",\"over websocket\"]", ws.nextMessage());
            ws.send("421[\"message-with-ack\"]");
            assertEquals("431[]", ws.nextMessage());

            // polling is over for this sid
            assertError(c.get(polling(sid)), 400, 3, "Bad request");
            assertError(c.post(polling(sid), "3"), 400, 3, "Bad request");

            // and so is any other WebSocket (refused before the upgrade, or closed right after)
            int outcome = refusedWebSocket(c, "EIO=4&transport=websocket&sid=" + sid, Map.of());
            assertTrue(outcome == 400 || outcome <= 0, "second WebSocket: " + outcome);

            // the upgraded socket is unaffected, and it is still the same Socket.IO client
            ws.send("42[\"message\",\"" + socketId + "\"]");
            assertEquals("42[\"message-back\",\"" + socketId + "\"]", ws.nextMessage());
            assertEquals(1, FIXTURES.get(kind).server.of("/").sockets().stream()
                    .filter(s -> s.id().equals(socketId)).count());
        }
    }

    // ================================================================ §2.5 connect

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void connectToTheMainNamespace(String kind) throws Exception {
        try (Ws ws = io(kind).openWebSocketSession()) {
            ws.send("40");
            String reply = ws.nextMessage();
            assertConnected(reply, "/", ws.engineSid);
            assertEquals(AUTH, ws.nextMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void connectWithAnAuthPayload(String kind) throws Exception {
        try (Ws ws = io(kind).openWebSocketSession()) {
            ws.send("40{\"token\":\"123\"}");
            assertConnected(ws.nextMessage(), "/", ws.engineSid);
            assertEquals("42[\"auth\",{\"token\":\"123\"}]", ws.nextMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void connectToACustomNamespace(String kind) throws Exception {
        try (Ws ws = io(kind).openWebSocketSession()) {
            ws.send("40/custom,");
            String first = assertConnected(ws.nextMessage(), "/custom", ws.engineSid);
            assertEquals("42/custom,[\"auth\",{}]", ws.nextMessage());

            // multiplexed: the main namespace on the same connection, with its own socket id
            ws.send("40{\"token\":\"abc\"}");
            String main = assertConnected(ws.nextMessage(), "/", ws.engineSid);
            assertEquals("42[\"auth\",{\"token\":\"abc\"}]", ws.nextMessage());
            assertNotEquals(first, main);

            ws.send("42/custom,[\"message\",1]");
            assertEquals("42/custom,[\"message-back\",1]", ws.nextMessage());
        }
        try (Ws ws = io(kind).openWebSocketSession()) {
            // with a payload
            ws.send("40/custom,{\"token\":\"123\"}");
            assertConnected(ws.nextMessage(), "/custom", ws.engineSid);
            assertEquals("42/custom,[\"auth\",{\"token\":\"123\"}]", ws.nextMessage());
        }
        try (Ws ws = io(kind).openWebSocketSession()) {
            // no trailing comma
            ws.send("40/custom");
            assertConnected(ws.nextMessage(), "/custom", ws.engineSid);
            assertEquals("42/custom,[\"auth\",{}]", ws.nextMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void unknownNamespaceIsRefusedAndTheConnectionStaysOpen(String kind) throws Exception {
        try (Ws ws = io(kind).openWebSocketSession()) {
            ws.send("40/random");
            assertEquals("44/random,{\"message\":\"Invalid namespace\"}", ws.nextMessage());
            ws.send("40/custom?x=1,");
            assertEquals("44/custom?x=1,{\"message\":\"Invalid namespace\"}", ws.nextMessage());
            ws.send("40");
            assertConnected(ws.nextMessage(), "/", ws.engineSid);
            assertEquals(AUTH, ws.nextMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void disconnectSendsNothingBackAndKeepsTheConnection(String kind) throws Exception {
        try (Ws ws = connectedWebSocket(io(kind))) {
            ws.send("41");
            // nothing but heartbeats from now on
            assertEquals("2", ws.nextText());
            ws.send("3");
            assertEquals("2", ws.nextText());
            ws.send("3");
            // the client may join again
            ws.send("40");
            assertConnected(ws.nextMessage(), "/", ws.engineSid);
            assertEquals(AUTH, ws.nextMessage());
        }
        try (Ws ws = io(kind).openWebSocketSession()) {
            ws.send("40/custom,");
            assertConnected(ws.nextMessage(), "/custom", ws.engineSid);
            assertEquals("42/custom,[\"auth\",{}]", ws.nextMessage());
            ws.send("41/custom,");
            assertEquals("2", ws.nextText());
            ws.send("3");
            // an event for the namespace it left is now a violation
            ws.send("42/custom,[\"message\"]");
            ws.awaitClose();
        }
    }

    // ================================================================ §2.4 / §2.6 events and acks

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void eventsAndAcknowledgements(String kind) throws Exception {
        try (Ws ws = connectedWebSocket(io(kind))) {
            ws.send("42[\"message\",1,\"2\",{\"3\":[false]}]");
            assertEquals("42[\"message-back\",1,\"2\",{\"3\":[false]}]", ws.nextMessage());

            ws.send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
            assertEquals("43456[1,\"2\",{\"3\":[false]}]", ws.nextMessage());

            ws.send("420[\"message-with-ack\"]");
            assertEquals("430[]", ws.nextMessage());

            // an ack for an id the server never used is ignored
            ws.send("43999[\"nobody asked\"]");
            ws.send("421[\"message-with-ack\",null,1.5,\"h\u00e9\u20ac\ud83d\ude00\"]");
            assertEquals("431[null,1.5,\"h\u00e9\u20ac\ud83d\ude00\"]", ws.nextMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("webSocketContainers")
    void binaryEventsAndAcknowledgements(String kind) throws Exception {
        try (Ws ws = connectedWebSocket(io(kind))) {
            ws.send("452-[\"message\"," + BINARY_PLACEHOLDER_0 + "," + BINARY_PLACEHOLDER_1 + "]");
            ws.sendBinary(new byte[] {1, 2, 3});
            ws.sendBinary(new byte[] {4, 5, 6});
            assertEquals("452-[\"message-back\"," + BINARY_PLACEHOLDER_0 + "," + BINARY_PLACEHOLDER_1 + "]",
                    ws.nextMessage());
            assertArrayEquals(new byte[] {1, 2, 3}, ws.nextBinary());
            assertArrayEquals(new byte[] {4, 5, 6}, ws.nextBinary());

            ws.send("452-789[\"message-with-ack\"," + BINARY_PLACEHOLDER_0 + "," + BINARY_PLACEHOLDER_1 + "]");
            ws.sendBinary(new byte[] {1, 2, 3});
            ws.sendBinary(new byte[] {4, 5, 6});
            assertEquals("462-789[" + BINARY_PLACEHOLDER_0 + "," + BINARY_PLACEHOLDER_1 + "]", ws.nextMessage());
            assertArrayEquals(new byte[] {1, 2, 3}, ws.nextBinary());
            assertArrayEquals(new byte[] {4, 5, 6}, ws.nextBinary());

            // a nested placeholder, attachments in reverse order of appearance
            ws.send("452-[\"message\",{\"a\":[" + BINARY_PLACEHOLDER_1 + "],\"b\":" + BINARY_PLACEHOLDER_0 + "}]");
            ws.sendBinary(new byte[] {7});
            ws.sendBinary(new byte[] {8});
            assertEquals("452-[\"message-back\",{\"a\":[" + BINARY_PLACEHOLDER_0 + "],\"b\":"
                    + BINARY_PLACEHOLDER_1 + "}]", ws.nextMessage());
            assertArrayEquals(new byte[] {8}, ws.nextBinary());
            assertArrayEquals(new byte[] {7}, ws.nextBinary());
        }
    }

    // ================================================================ §2.3 validation

    /** Something a client sends that must make the server close the connection. */
    private record Violation(String name, boolean connectFirst, List<Object> frames) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Violation afterConnect(String name, Object... frames) {
        return new Violation(name, true, List.of(frames));
    }

    private static Violation beforeConnect(String name, Object... frames) {
        return new Violation(name, false, List.of(frames));
    }

    private static final List<Violation> VIOLATIONS = List.of(
            afterConnect("unknown packet type 4abc", "4abc"),
            afterConnect("packet type 7", "47[\"message\"]"),
            afterConnect("event payload not an array 42{}", "42{}"),
            afterConnect("event payload not JSON", "42[\"message\""),
            afterConnect("empty event array", "42[]"),
            afterConnect("event name not a string", "42[{}]"),
            afterConnect("invalid ack id 42abc", "42abc[\"message-with-ack\",1]"),
            afterConnect("ack payload not an array", "431{}"),
            afterConnect("reserved event name disconnect", "42[\"disconnect\"]"),
            afterConnect("reserved event name connect", "42[\"connect\"]"),
            afterConnect("reserved event name newListener", "42[\"newListener\"]"),
            afterConnect("event for a namespace not joined", "42/custom,[\"message\"]"),
            afterConnect("disconnect from a namespace not joined", "41/custom,"),
            afterConnect("second CONNECT to the same namespace", "40"),
            afterConnect("CONNECT payload not an object", "40/custom,[1]"),
            afterConnect("binary frame without announced attachments", new byte[] {1, 2, 3}),
            afterConnect("text packet while attachments are expected",
                    "451-[\"message\"," + BINARY_PLACEHOLDER_0 + "]", "42[\"message\"]"),
            afterConnect("attachment count without dash", "451[\"message\"]"),
            afterConnect("more than 10 attachments", "4511-[\"message\"]"),
            afterConnect("placeholder pointing at a missing attachment",
                    "451-[\"message\"," + BINARY_PLACEHOLDER_1 + "]", new byte[] {1}),
            afterConnect("CONNECT_ERROR from the client", "44{\"message\":\"x\"}"),
            afterConnect("unknown Engine.IO packet type", "abc"),
            afterConnect("empty Engine.IO packet", ""),
            afterConnect("ping from the client", "2"),
            afterConnect("Engine.IO close packet from the client", "1"),
            beforeConnect("event before CONNECT", "42[\"message\"]"),
            beforeConnect("unknown packet type before CONNECT", "4abc"),
            beforeConnect("CONNECT payload not an object before CONNECT", "40\"x\""));

    static Stream<Arguments> violations() {
        return Stream.of(EmbeddedContainer.WEBSOCKET_KINDS)
                .flatMap(kind -> VIOLATIONS.stream().map(v -> Arguments.of(kind, v)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("violations")
    void protocolViolationClosesTheConnection(String kind, Violation violation) throws Exception {
        RawClient c = io(kind);
        try (Ws ws = violation.connectFirst() ? connectedWebSocket(c) : c.openWebSocketSession()) {
            for (Object frame : violation.frames()) {
                if (frame instanceof byte[]) {
                    ws.sendBinary((byte[]) frame);
                } else {
                    ws.send((String) frame);
                }
            }
            ws.awaitClose();
        }
        assertStillServes(c);
    }

    // ================================================================ §1.9 WebSocket limits

    @ParameterizedTest(name = "{0}")
    @MethodSource("webSocketContainers")
    void webSocketMessageOverTheLimitClosesWith1009(String kind) throws Exception {
        RawClient c = io(kind);
        List<String> outcomes = new ArrayList<>();
        List<RawClient.Frame> closes = new ArrayList<>();
        // exactly the limit, counted in UTF-8 bytes, is accepted, for text and for binary
        try (Ws ws = connectedWebSocket(c)) {
            String exact = messageOfBytes(MAX);
            ws.send(exact);
            assertEquals(exact.replace("\"message\"", "\"message-back\""), ws.nextMessage());
        }
        try (Ws ws = connectedWebSocket(c)) {
            byte[] attachment = new byte[MAX];
            attachment[MAX - 1] = 42;
            ws.send("451-[\"message\"," + BINARY_PLACEHOLDER_0 + "]");
            ws.sendBinary(attachment);
            assertEquals("451-[\"message-back\"," + BINARY_PLACEHOLDER_0 + "]", ws.nextMessage());
            assertArrayEquals(attachment, ws.nextBinary());
        }
        try (Ws ws = connectedWebSocket(c)) {
            ws.send("42[\"message\",\"" + "a".repeat(MAX) + "\"]");
            RawClient.Frame closed = ws.awaitCloseFrame();
            closes.add(closed);
            outcomes.add("ascii text: " + closed.closeCode);
        }
        try (Ws ws = connectedWebSocket(c)) {
            // fewer characters than the limit, more bytes
            ws.send(messageOfBytes(MAX + 1));
            RawClient.Frame closed = ws.awaitCloseFrame();
            closes.add(closed);
            outcomes.add("multi-byte text: " + closed.closeCode);
        }
        try (Ws ws = connectedWebSocket(c)) {
            ws.send("451-[\"message\"," + BINARY_PLACEHOLDER_0 + "]");
            ws.sendBinary(new byte[MAX + 1]);
            RawClient.Frame closed = ws.awaitCloseFrame();
            closes.add(closed);
            outcomes.add("binary: " + closed.closeCode);
        }
        assertEquals(List.of("ascii text: 1009", "multi-byte text: 1009", "binary: 1009"), outcomes,
                () -> "close events: " + closes);
        assertStillServes(c);
    }

    // ================================================================ sanity of the fixture itself

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void openPacketsAdvertiseTheConfiguration(String kind) throws Exception {
        RawClient c = io(kind);
        HttpResponse<String> r = c.get("EIO=4&transport=polling&t=abc");
        assertEquals(200, r.statusCode());
        String sid = RawClient.openPacketSid(r.body());
        assertEquals("0{\"sid\":\"" + sid + "\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,"
                + "\"pingTimeout\":1000,\"maxPayload\":1000}", r.body());
        try (Ws ws = c.webSocket("EIO=4&transport=websocket")) {
            String open = ws.nextText();
            String wsSid = RawClient.openPacketSid(open);
            assertEquals("0{\"sid\":\"" + wsSid + "\",\"upgrades\":[],\"pingInterval\":300,"
                    + "\"pingTimeout\":1000,\"maxPayload\":1000}", open);
        }
        assertOk(c.post(polling(sid), "1"));
    }
}
