package org.jsio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator's HTTP connections against the JDK's HTTP server: fixed-length and chunked
 * bodies, request bodies, a connection the server ends after its answer, and one nobody answers.
 */
@Timeout(30)
class IoLoopHttpTest {
    private HttpServer server;
    private IoLoop loop;
    /** The client ports the server saw, one per connection. */
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/fixed", e -> answer(e, "fixed " + e.getRequestURI().getQuery(), false, false));
        server.createContext("/chunked", e -> answer(e, "chunked ".repeat(2_000), true, false));
        server.createContext("/close", e -> answer(e, "bye", false, true));
        server.createContext("/echo", e -> answer(e, new String(e.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8), false, false));
        server.start();
        loop = new IoLoop("io-loop-test");
    }

    @AfterEach
    void stop() {
        loop.close();
        server.stop(0);
    }

    private void answer(HttpExchange e, String body, boolean chunked, boolean close) throws IOException {
        connections.add(e.getRemoteAddress().getPort());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (close) {
            e.getResponseHeaders().set("Connection", "close");
        }
        e.sendResponseHeaders(200, chunked ? 0 : b.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(b);
        }
    }

    /** Runs the exchanges one after the other on one connection and returns their answers. */
    private List<String> exchanges(IoLoop.HttpConn conn, String... requests) throws Exception {
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        List<String> answers = new ArrayList<>();
        loop.execute(new Runnable() {
            private int next;

            @Override
            public void run() {
                if (next == requests.length) {
                    done.complete(answers);
                    return;
                }
                String[] r = requests[next++].split(" ", 3);
                conn.exchange(r[0], r[1], r.length > 2 ? r[2] : null, (status, body) -> {
                    answers.add(status + " " + body);
                    run();
                });
            }
        });
        return done.get(20, TimeUnit.SECONDS);
    }

    private IoLoop.HttpConn conn() {
        return loop.http("127.0.0.1", server.getAddress().getPort());
    }

    @Test
    void keptAliveConnectionCarriesFixedLengthAndChunkedAnswers() throws Exception {
        List<String> answers = exchanges(conn(), "GET /fixed?a=1", "GET /chunked", "POST /echo héllo", "GET /fixed?b=2");

        assertEquals(List.of("200 fixed a=1", "200 " + "chunked ".repeat(2_000), "200 héllo", "200 fixed b=2"),
                answers);
        assertEquals(1, connections.size(), "one kept-alive connection");
    }

    @Test
    void connectionEndedByTheServerIsOpenedAgainForTheNextExchange() throws Exception {
        List<String> answers = exchanges(conn(), "GET /close", "GET /fixed?x", "GET /close", "GET /fixed?y");

        assertEquals(List.of("200 bye", "200 fixed x", "200 bye", "200 fixed y"), answers);
        assertEquals(3, connections.size(), "a new connection after each one the server closed");
    }

    @Test
    void exchangeWithNobodyListeningFails() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        IoLoop.HttpConn conn = loop.http("127.0.0.1", port);
        CompletableFuture<String> answer = new CompletableFuture<>();
        loop.execute(() -> conn.exchange("GET", "/", null, (status, body) -> answer.complete(status + " " + body)));

        String a = answer.get(20, TimeUnit.SECONDS);
        assertTrue(a.startsWith("-1 "), a);
    }

    /**
     * Answers whatever arrives on one connection with {@code responses}, one per request head, and
     * returns the request heads it read (the connection ends after the last answer).
     */
    private static CompletableFuture<List<String>> scripted(ServerSocket listening, String... responses) {
        CompletableFuture<List<String>> heads = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            List<String> seen = new ArrayList<>();
            try (java.net.Socket s = listening.accept()) {
                java.io.InputStream in = s.getInputStream();
                for (String response : responses) {
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            throw new IOException("request ended early: " + head);
                        }
                        head.append((char) b);
                    }
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)")
                            .matcher(head);
                    if (m.find()) {
                        head.append(new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8));
                    }
                    seen.add(head.toString());
                    s.getOutputStream().write(response.getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                }
                heads.complete(seen);
            } catch (IOException e) {
                heads.completeExceptionally(e);
            }
        }, "scripted-http");
        t.setDaemon(true);
        t.start();
        return heads;
    }

    @Test
    void responseHeadsAreReadWhateverTheCaseAndSpacingOfTheirHeaders() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> requests = scripted(s,
                    "HTTP/1.1 200 OK\r\ncontent-LENGTH:   5 \r\nX-Other:\tvalue\r\n\r\nhello",
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
                    "HTTP/1.1 201 Created\r\nTRANSFER-ENCODING: Chunked\r\nCONNECTION: Close\r\n\r\n"
                            + "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n");
            IoLoop.HttpConn conn = loop.http("127.0.0.1", s.getLocalPort());

            List<String> answers = exchanges(conn, "GET /a?sid=1", "POST /b?sid=1 4[\"é\"]", "GET /a?sid=1");

            assertEquals(List.of("200 hello", "400 {}", "201 abcde"), answers);
            List<String> seen = requests.get(20, TimeUnit.SECONDS);
            assertEquals("GET /a?sid=1 HTTP/1.1\r\nHost: 127.0.0.1:" + s.getLocalPort() + "\r\n\r\n", seen.get(0));
            assertEquals("POST /b?sid=1 HTTP/1.1\r\nHost: 127.0.0.1:" + s.getLocalPort()
                    + "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 7\r\n\r\n4[\"é\"]", seen.get(1),
                    "the body in UTF-8, its length in bytes");
            assertEquals(seen.get(0), seen.get(2), "the same request line again");
        }
    }

    @Test
    void anHttp10AnswerEndsItsConnection() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> first = scripted(s, "HTTP/1.0 404 Not Found\r\nContent-Length: 3\r\n\r\nnop");
            IoLoop.HttpConn conn = loop.http("127.0.0.1", s.getLocalPort());
            assertEquals(List.of("404 nop"), exchanges(conn, "GET /x"));
            first.get(20, TimeUnit.SECONDS);

            CompletableFuture<List<String>> second = scripted(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            assertEquals(List.of("200 ok"), exchanges(conn, "GET /y"), "the next exchange on a new connection");
            assertTrue(second.get(20, TimeUnit.SECONDS).get(0).startsWith("GET /y "));
        }
    }
}
