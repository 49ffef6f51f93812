package org.jsio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The servlet adapter on real containers: the raw Engine.IO echo endpoint of the
 * {@link ConformanceServer}, over long-polling and WebSocket, on Jetty and on Tomcat.
 */
class ServletTransportTest {
    private static final int MAX = 1_000_000;
    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

    private static ConformanceServer jetty;
    private static ConformanceServer tomcat;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void startServers() throws Exception {
        jetty = ConformanceServer.start("jetty", 0);
        tomcat = ConformanceServer.start("tomcat", 0);
    }

    @AfterAll
    static void stopServers() {
        if (jetty != null) {
            jetty.close();
        }
        if (tomcat != null) {
            tomcat.close();
        }
    }

    private static String base(String kind) {
        return ("jetty".equals(kind) ? jetty : tomcat).baseUrl() + "/engine.io/?EIO=4";
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(String url, HttpRequest.BodyPublisher body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "text/plain;charset=UTF-8").POST(body).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String handshake(String kind) throws Exception {
        HttpResponse<String> r = get(base(kind) + "&transport=polling");
        assertEquals(200, r.statusCode());
        Matcher m = SID.matcher(r.body());
        assertTrue(r.body().startsWith("0{") && m.find(), r.body());
        return m.group(1);
    }

    private static List<String> packets(String payload) {
        return Arrays.asList(payload.split("\u001e"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void pollingHandshakeSendsTheOpenPacket(String kind) throws Exception {
        HttpResponse<String> r = get(base(kind) + "&transport=polling&t=x%20y");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().matches("0\\{\"sid\":\"[^\"]+\",\"upgrades\":\\[\"websocket\"],\"pingInterval\":300,"
                + "\"pingTimeout\":200,\"maxPayload\":1000000}"), r.body());
        assertEquals("text/plain; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse("").toLowerCase().replace(";charset", "; charset"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void postedMessagesComeBackOnTheNextPoll(String kind) throws Exception {
        String url = base(kind) + "&transport=polling&sid=" + handshake(kind);
        HttpResponse<String> sent = post(url, HttpRequest.BodyPublishers.ofString("4hello\u001e4h\u00e9\u20ac\u001ebAQIDBA=="));
        assertEquals(200, sent.statusCode());
        assertEquals("ok", sent.body());
        List<String> received = packets(get(url).body());
        assertTrue(received.containsAll(List.of("4hello", "4h\u00e9\u20ac", "bAQIDBA==")), received.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void aHeldPollIsAnsweredLaterFromAnotherThread(String kind) throws Exception {
        String url = base(kind) + "&transport=polling&sid=" + handshake(kind);
        // Nothing is queued: the GET is suspended until the server's first ping (300 ms).
        HttpResponse<String> r = get(url);
        assertEquals(200, r.statusCode());
        assertEquals("2", r.body());
        assertEquals(String.valueOf(1), r.headers().firstValue("Content-Length").orElse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void badProtocolVersionIsRefusedWithJson(String kind) throws Exception {
        HttpResponse<String> r = get(base(kind).replace("EIO=4", "EIO=3") + "&transport=polling");
        assertEquals(400, r.statusCode());
        assertEquals("{\"code\":5,\"message\":\"Unsupported protocol version\"}", r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void bodyOfExactlyTheLimitIsAcceptedAndOneByteMoreIsNot(String kind) throws Exception {
        String url = base(kind) + "&transport=polling&sid=" + handshake(kind);
        byte[] exact = new byte[MAX];
        Arrays.fill(exact, (byte) 'a');
        exact[0] = '4';
        assertEquals(200, post(url, HttpRequest.BodyPublishers.ofByteArray(exact)).statusCode());

        byte[] over = Arrays.copyOf(exact, MAX + 1);
        over[MAX] = 'a';
        assertEquals(413, post(url, HttpRequest.BodyPublishers.ofByteArray(over)).statusCode());
        // Without Content-Length (chunked), the limit is enforced while reading.
        assertEquals(413, post(url, chunked(over)).statusCode());
    }

    /** A body publisher of unknown length, so the client sends it chunked. */
    private static HttpRequest.BodyPublisher chunked(byte[] data) {
        HttpRequest.BodyPublisher known = HttpRequest.BodyPublishers.ofByteArray(data);
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                known.subscribe(subscriber);
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void webSocketSessionEchoesTextAndBinary(String kind) throws Exception {
        Frames frames = new Frames();
        WebSocket ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(base(kind).replace("http", "ws") + "&transport=websocket"), frames)
                .get(5, TimeUnit.SECONDS);
        try {
            assertTrue(frames.next().matches("0\\{\"sid\":\"[^\"]+\",\"upgrades\":\\[],.*"));
            ws.sendText("4h\u00e9llo", true).get(5, TimeUnit.SECONDS);
            assertEquals("4h\u00e9llo", frames.nextIgnoringPings(ws));
            ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), true).get(5, TimeUnit.SECONDS);
            assertEquals("bin:[1, 2, 3, 4]", frames.nextIgnoringPings(ws));
        } finally {
            ws.abort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void unknownSessionIsRefusedBeforeTheUpgrade(String kind) throws Exception {
        Frames frames = new Frames();
        try {
            HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create(base(kind).replace("http", "ws") + "&transport=websocket&sid=nope"), frames)
                    .get(5, TimeUnit.SECONDS)
                    .abort();
            throw new AssertionError("the upgrade should have been refused");
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, e.toString());
            HttpResponse<?> r = ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse();
            assertEquals(400, r.statusCode());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void malformedUpgradeIsRefusedWithAClientError(String kind) throws Exception {
        ConformanceServer server = "jetty".equals(kind) ? jetty : tomcat;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            // No Sec-WebSocket-Key: the engine answers 400 (Jetty), or the container itself 426 (Tomcat).
            assertTrue(statusLine != null && statusLine.matches("HTTP/1\\.1 4(00|26).*"), statusLine);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void pollingSessionUpgradesToWebSocket(String kind) throws Exception {
        String sid = handshake(kind);
        String polling = base(kind) + "&transport=polling&sid=" + sid;
        Frames frames = new Frames();
        WebSocket ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(base(kind).replace("http", "ws") + "&transport=websocket&sid=" + sid), frames)
                .get(5, TimeUnit.SECONDS);
        try {
            ws.sendText("2probe", true).get(5, TimeUnit.SECONDS);
            assertEquals("3probe", frames.next());
            // The poll after the probe ends with a noop (after any ping that was already queued).
            while (true) {
                List<String> got = packets(get(polling).body());
                if (got.contains("2")) {
                    post(polling, HttpRequest.BodyPublishers.ofString("3"));
                }
                if ("6".equals(got.get(got.size() - 1))) {
                    break;
                }
            }
            ws.sendText("5", true).get(5, TimeUnit.SECONDS);
            ws.sendText("4upgraded", true).get(5, TimeUnit.SECONDS);
            assertEquals("4upgraded", frames.nextIgnoringPings(ws));
            assertEquals(400, get(polling).statusCode());
        } finally {
            ws.abort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat"})
    void corsPreflightIsAnswered(String kind) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base(kind) + "&transport=polling"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "http://example.com")
                        .header("Access-Control-Request-Headers", "content-type")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, r.statusCode());
        Map<String, List<String>> h = r.headers().map();
        assertEquals(List.of("http://example.com"), h.get("access-control-allow-origin"));
    }

    /** Collects incoming frames; text as is, binary as {@code bin:[...]}. */
    private static final class Frames implements WebSocket.Listener {
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                queue.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
            joined.put(binary).put(data).flip();
            binary = joined;
            if (last) {
                byte[] bytes = new byte[binary.remaining()];
                binary.get(bytes);
                queue.add("bin:" + Arrays.toString(bytes));
                binary = ByteBuffer.allocate(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            queue.add("close:" + statusCode);
            return null;
        }

        String next() throws InterruptedException {
            String frame = queue.poll(5, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within 5 s");
            }
            return frame;
        }

        /** The next frame that is not a server ping; pings are answered so the session stays up. */
        String nextIgnoringPings(WebSocket ws) throws Exception {
            while (true) {
                String frame = next();
                if (!"2".equals(frame)) {
                    return frame;
                }
                ws.sendText("3", true).get(5, TimeUnit.SECONDS);
            }
        }
    }
}
