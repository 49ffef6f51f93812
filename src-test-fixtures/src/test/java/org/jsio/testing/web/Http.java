package org.jsio.testing.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsio.testing.TextMessages;

/**
 * HTTP for the web tests: {@link HttpClient} for ordinary requests (it neither decompresses nor
 * normalizes paths), a raw socket for request lines that a client library would clean up, and a
 * text WebSocket. {@link #WAIT} only turns a hang into a failure; no test asserts on time.
 */
final class Http {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String SEP = "\u001e";
    private static final Pattern SID = Pattern.compile("^0\\{\"sid\":\"([^\"]+)\"");

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT)
            .build();

    private Http() {
    }

    static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
    }

    static HttpResponse<byte[]> send(HttpRequest request) throws Exception {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpRequest request) {
        return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> get(String url) throws Exception {
        return send(request(url).GET().build());
    }

    static HttpResponse<byte[]> post(String url, String body) throws Exception {
        return send(request(url).header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** The first value of a response header, or {@code null}. */
    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The sid of an Engine.IO open packet. */
    static String sid(String openPacket) {
        Matcher m = SID.matcher(openPacket);
        assertTrue(m.find(), () -> "not an open packet: " + openPacket);
        return m.group(1);
    }

    /** Opens a polling session at {@code endpoint} (ending with a slash) and returns its sid. */
    static String handshake(String endpoint) throws Exception {
        HttpResponse<byte[]> r = get(endpoint + "?EIO=4&transport=polling");
        assertEquals(200, r.statusCode(), () -> text(r));
        return sid(text(r));
    }

    /** A response read off a raw connection. */
    record Raw(int status, Map<String, List<String>> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text();
        }
    }

    /**
     * Sends {@code METHOD target HTTP/1.1} with exactly these bytes as the target, and the given
     * headers, on a new connection; reads the response (a 101 ends after its head).
     */
    static Raw raw(int port, String method, String target, Map<String, String> headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) WAIT.toMillis());
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (!headers.containsKey("Connection")) {
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readResponse(socket.getInputStream(), method);
        }
    }

    static Raw raw(int port, String method, String target) throws IOException {
        return raw(port, method, target, Map.of());
    }

    private static Raw readResponse(InputStream in, String method) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2) {
            fail("no HTTP response: '" + statusLine + "'");
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.computeIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(l.substring(colon + 1).trim());
        }
        if (status == 101 || status == 204 || status == 304 || "HEAD".equals(method)) {
            return new Raw(status, headers, new byte[0]);
        }
        List<String> length = headers.get("content-length");
        List<String> encoding = headers.get("transfer-encoding");
        byte[] body;
        if (encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    break;
                }
                b.write(in.readNBytes(n));
                line(in);
            }
            body = b.toByteArray();
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length.get(0)));
        } else {
            body = in.readAllBytes();
        }
        return new Raw(status, headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** A text WebSocket whose incoming messages are queued. */
    static final class Ws implements AutoCloseable {
        private final TextMessages messages = new TextMessages();
        private WebSocket socket;

        static Ws open(String url, Map<String, String> headers) throws Exception {
            Ws ws = new Ws();
            WebSocket.Builder b = CLIENT.newWebSocketBuilder().connectTimeout(WAIT);
            headers.forEach(b::header);
            try {
                ws.socket = b.buildAsync(URI.create(url.replaceFirst("^http", "ws")), ws.messages)
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            }
            return ws;
        }

        void send(String text) throws Exception {
            socket.sendText(text, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The next text message that is not an Engine.IO ping (pings are answered). */
        String next() throws Exception {
            while (true) {
                String m = messages.poll(WAIT);
                if (m == null) {
                    fail("nothing received on the WebSocket within " + WAIT);
                }
                if (!"2".equals(m)) {
                    return m;
                }
                send("3");
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
