package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately dumb Engine.IO client for protocol tests: it sends exactly the bytes it is given
 * over HTTP long-polling ({@link HttpClient}) or WebSocket ({@link WebSocket}) and hands back what
 * the server answered, without interpreting anything.
 *
 * <p>Waits are bounded by {@link #WAIT}; that bound only turns a hang into a failure, it is not
 * part of what the tests assert.
 */
final class RawClient {
    /** How long to wait for any answer before a test fails instead of hanging. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /** The record separator of polling payloads. */
    static final String SEP = "\u001e";

    private static final Pattern OPEN = Pattern.compile(
            "0\\{\"sid\":\"([^\"]+)\",\"upgrades\":\\[(\"websocket\")?],\"pingInterval\":\\d+,"
                    + "\"pingTimeout\":\\d+,\"maxPayload\":\\d+}");

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT)
            .build();

    private final String endpoint;

    /**
     * @param endpoint the Engine.IO path with its trailing slash, e.g.
     *     {@code http://127.0.0.1:8080/socket.io/}
     */
    RawClient(String endpoint) {
        this.endpoint = endpoint;
    }

    /** The endpoint with a query string appended. */
    URI uri(String query) {
        return URI.create(endpoint + (query.isEmpty() ? "" : "?" + query));
    }

    /** The query string of a polling request for {@code sid}. */
    static String polling(String sid) {
        return "EIO=4&transport=polling&sid=" + sid;
    }

    // ---------------------------------------------------------------- HTTP

    /** A request builder for the endpoint with a query string. */
    HttpRequest.Builder request(String query) {
        return HttpRequest.newBuilder(uri(query)).timeout(WAIT);
    }

    /** Sends a request and reads the body as UTF-8 text. */
    static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Sends a request without waiting for the answer. */
    static CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** {@code GET endpoint?query}. */
    HttpResponse<String> get(String query) throws Exception {
        return send(request(query).GET().build());
    }

    /** {@code GET endpoint?query}, not waited for. */
    CompletableFuture<HttpResponse<String>> getAsync(String query) {
        return sendAsync(request(query).GET().build());
    }

    /** {@code POST endpoint?query} with a UTF-8 text body, as the JavaScript client sends it. */
    HttpResponse<String> post(String query, String body) throws Exception {
        return post(query, body.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST endpoint?query} with exactly these body bytes. */
    HttpResponse<String> post(String query, byte[] body) throws Exception {
        return send(request(query)
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    /** Opens a polling session and returns its sid, checking the open packet's shape. */
    String handshake() throws Exception {
        HttpResponse<String> r = get("EIO=4&transport=polling");
        assertEquals(200, r.statusCode(), r.body());
        return openPacketSid(r.body());
    }

    /** The sid of an open packet, which must have exactly the five keys of the protocol. */
    static String openPacketSid(String openPacket) {
        Matcher m = OPEN.matcher(openPacket);
        assertTrue(m.matches(), "not an open packet: " + openPacket);
        return m.group(1);
    }

    /** The packets of a polling payload. */
    static List<String> packets(String payload) {
        return Arrays.asList(payload.split(SEP, -1));
    }

    /** Asserts a refusal with the reference server's JSON error body. */
    static void assertError(HttpResponse<String> response, int status, int code, String message) {
        assertEquals(status, response.statusCode(), () -> "body: " + response.body());
        assertEquals("{\"code\":" + code + ",\"message\":\"" + message + "\"}", response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
    }

    /** Asserts a refusal with an empty body. */
    static void assertEmpty(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), () -> "body: " + response.body());
        assertEquals("", response.body());
    }

    /**
     * Polls until {@code count} packets other than pings arrived (each ping is answered with a
     * pong) and returns every GET response on the way, in order.
     */
    List<HttpResponse<String>> pollUntil(String sid, int count) throws Exception {
        List<HttpResponse<String>> responses = new ArrayList<>();
        int seen = 0;
        while (seen < count) {
            HttpResponse<String> r = get(polling(sid));
            assertEquals(200, r.statusCode(), () -> "poll refused: " + r.body() + " after " + bodies(responses));
            responses.add(r);
            boolean pinged = false;
            for (String p : packets(r.body())) {
                if ("2".equals(p)) {
                    pinged = true;
                } else {
                    seen++;
                }
            }
            if (pinged) {
                HttpResponse<String> pong = post(polling(sid), "3");
                assertEquals(200, pong.statusCode(), pong.body());
            }
        }
        return responses;
    }

    /** Polls until {@code count} packets other than pings arrived; returns exactly those, in order. */
    List<String> poll(String sid, int count) throws Exception {
        List<String> out = withoutPings(pollUntil(sid, count));
        assertEquals(count, out.size(), "more packets than expected: " + out);
        return out;
    }

    /** The packets of these poll responses, pings left out. */
    static List<String> withoutPings(List<HttpResponse<String>> responses) {
        List<String> out = new ArrayList<>();
        for (HttpResponse<String> r : responses) {
            for (String p : packets(r.body())) {
                if (!"2".equals(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static List<String> bodies(List<HttpResponse<String>> responses) {
        List<String> out = new ArrayList<>();
        responses.forEach(r -> out.add(r.body()));
        return out;
    }

    // ---------------------------------------------------------------- WebSocket

    /** Opens a WebSocket to {@code endpoint?query} (the http URL turned into ws). */
    Ws webSocket(String query) throws Exception {
        return webSocket(query, Map.of());
    }

    /** Opens a WebSocket with extra handshake headers. */
    Ws webSocket(String query, Map<String, String> headers) throws Exception {
        Ws ws = new Ws();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        URI uri = URI.create(uri(query).toString().replaceFirst("^http", "ws"));
        try {
            ws.socket = builder.buildAsync(uri, ws).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
        return ws;
    }

    /**
     * Opens a WebSocket session ({@code transport=websocket} without sid) and reads its open
     * packet.
     */
    Ws openWebSocketSession() throws Exception {
        Ws ws = webSocket("EIO=4&transport=websocket");
        ws.engineSid = openPacketSid(ws.nextText());
        return ws;
    }

    /** One thing that happened on a WebSocket, in arrival order. */
    static final class Frame {
        final String text;
        final byte[] binary;
        /** The close code for a close; -1 when the connection failed without a close frame. */
        final int closeCode;
        final String detail;

        private Frame(String text, byte[] binary, int closeCode, String detail) {
            this.text = text;
            this.binary = binary;
            this.closeCode = closeCode;
            this.detail = detail;
        }

        boolean isText() {
            return text != null;
        }

        boolean isBinary() {
            return binary != null;
        }

        boolean isClose() {
            return text == null && binary == null;
        }

        @Override
        public String toString() {
            if (isText()) {
                return "text:" + text;
            }
            if (isBinary()) {
                return "binary:" + Arrays.toString(binary);
            }
            return "close:" + closeCode + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** A raw WebSocket whose incoming text frames, binary frames and close are queued in order. */
    static final class Ws implements WebSocket.Listener, AutoCloseable {
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private WebSocket socket;
        /** The Engine.IO sid, for sessions opened with {@link #openWebSocketSession()}. */
        String engineSid;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frames.add(new Frame(text.toString(), null, 0, ""));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                frames.add(new Frame(null, binary.toByteArray(), 0, ""));
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            frames.add(new Frame(null, null, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            frames.add(new Frame(null, null, -1, String.valueOf(error)));
        }

        /** Sends a text frame. */
        void send(String data) throws Exception {
            socket.sendText(data, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Sends a binary frame. */
        void sendBinary(byte[] data) throws Exception {
            socket.sendBinary(ByteBuffer.wrap(data), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The next frame, pings included. */
        Frame next() throws InterruptedException {
            Frame f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) {
                fail("nothing received on the WebSocket within " + WAIT);
            }
            return f;
        }

        /** The next frame, which must be text (pings included). */
        String nextText() throws InterruptedException {
            Frame f = next();
            assertTrue(f.isText(), () -> "expected a text frame, got " + f);
            return f.text;
        }

        /** The next frame that is not a ping; pings are answered with a pong on the way. */
        Frame nextSkippingPings() throws Exception {
            while (true) {
                Frame f = next();
                if (!f.isText() || !"2".equals(f.text)) {
                    return f;
                }
                pongQuietly();
            }
        }

        /** The next text frame that is not a ping; pings are answered on the way. */
        String nextMessage() throws Exception {
            Frame f = nextSkippingPings();
            assertTrue(f.isText(), () -> "expected a text frame, got " + f);
            return f.text;
        }

        /** The next binary frame that is not a ping; pings are answered on the way. */
        byte[] nextBinary() throws Exception {
            Frame f = nextSkippingPings();
            assertTrue(f.isBinary(), () -> "expected a binary frame, got " + f);
            return f.binary;
        }

        /**
         * Waits until the server closes the connection and returns the close code (-1 for a
         * connection dropped without a close frame). Pings are answered meanwhile, so the close
         * cannot come from a missed heartbeat; any other frame fails the test.
         */
        int awaitClose() throws Exception {
            return awaitCloseFrame().closeCode;
        }

        /** Like {@link #awaitClose()}, returning the close event with its reason or error. */
        Frame awaitCloseFrame() throws Exception {
            while (true) {
                Frame f = nextSkippingPings();
                if (f.isClose()) {
                    return f;
                }
                fail("expected the server to close the connection, got " + f);
            }
        }

        /** Waits for the close without answering pings (for heartbeat tests); pings are skipped. */
        int awaitCloseWithoutPong() throws Exception {
            while (true) {
                Frame f = next();
                if (f.isClose()) {
                    return f.closeCode;
                }
                assertEquals("text:2", f.toString(), "only pings may arrive before the close");
            }
        }

        private void pongQuietly() {
            try {
                send("3");
            } catch (Exception e) {
                // The server closed meanwhile: the close event is in the queue.
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.abort();
            }
        }
    }

    /** Waits for a future with the standard bound. */
    static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + WAIT, e);
        }
    }
}
