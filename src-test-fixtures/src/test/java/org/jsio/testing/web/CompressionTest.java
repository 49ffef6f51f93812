package org.jsio.testing.web;

import static org.jsio.testing.web.Http.header;
import static org.jsio.testing.web.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineServer;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.ConformanceServer;
import org.jsio.testing.EmbeddedContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP compression of long-polling payloads ({@code httpCompression}, {@code compressionThreshold}):
 * an echo endpoint sends back a message of a chosen size, and the poll that carries it is
 * compressed or not depending on {@code Accept-Encoding} and the size. Endpoints:
 * {@code /echo/} (defaults: on, 1024 bytes), {@code /plain/} (compression off) and
 * {@code /sio/} (a Socket.IO server built with threshold 0, so even its handshake is compressed).
 */
class CompressionTest {
    private static final Map<String, EmbeddedContainer> CONTAINERS = new LinkedHashMap<>();
    private static final List<AutoCloseable> SERVERS = new ArrayList<>();
    private static final Map<String, SocketIoServer> SIO = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        for (String kind : EmbeddedContainer.KINDS) {
            SocketIoServer sio = SocketIoServer.builder().compressionThreshold(0).httpCompression(true).build();
            SIO.put(kind, sio);
            SERVERS.add(sio);
            CONTAINERS.put(kind, EmbeddedContainer.create(kind)
                    .mount("/echo/*", new SocketIoServlet(echo(EngineOptions.builder())))
                    .mount("/plain/*", new SocketIoServlet(echo(EngineOptions.builder().httpCompression(false))))
                    .mount("/sio/*", new SocketIoServlet(sio))
                    .start(0));
        }
    }

    private static EngineServer echo(EngineOptions.Builder options) {
        EngineServer engine = ConformanceServer.echoEngine(options.build());
        SERVERS.add(engine);
        return engine;
    }

    @AfterAll
    static void stop() throws Exception {
        CONTAINERS.values().forEach(EmbeddedContainer::close);
        for (AutoCloseable s : SERVERS) {
            s.close();
        }
    }

    static Stream<String> containers() {
        return Stream.of(EmbeddedContainer.KINDS);
    }

    /** A message whose poll payload ("4" + message) is exactly {@code payloadBytes} long. */
    private static String message(int payloadBytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < payloadBytes - 1; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }

    /** Opens a session, has the server echo {@code message}, and returns the poll carrying it. */
    private static HttpResponse<byte[]> echoed(String kind, String endpoint, String message, String acceptEncoding)
            throws Exception {
        String url = CONTAINERS.get(kind).baseUrl() + "/" + endpoint + "/";
        String sid = Http.handshake(url);
        String polling = url + "?EIO=4&transport=polling&sid=" + sid;
        assertEquals("ok", text(Http.post(polling, "4" + message)));
        HttpRequest.Builder get = Http.request(polling);
        if (acceptEncoding != null) {
            get.header("Accept-Encoding", acceptEncoding);
        }
        return Http.send(get.GET().build());
    }

    private static byte[] decode(HttpResponse<byte[]> r) throws IOException {
        String encoding = header(r, "Content-Encoding");
        if (encoding == null) {
            return r.body();
        }
        try (InputStream in = "gzip".equals(encoding) ? new GZIPInputStream(new ByteArrayInputStream(r.body()))
                : new InflaterInputStream(new ByteArrayInputStream(r.body()))) {
            return in.readAllBytes();
        }
    }

    private static void assertCompressed(HttpResponse<byte[]> r, String encoding, String message) throws IOException {
        assertEquals(200, r.statusCode());
        assertEquals(encoding, header(r, "Content-Encoding"));
        assertTrue(r.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Accept-Encoding")),
                () -> "Vary: " + r.headers().allValues("Vary"));
        assertEquals(String.valueOf(r.body().length), header(r, "Content-Length"));
        assertTrue(r.body().length < message.length(), "not smaller: " + r.body().length);
        assertArrayEquals(("4" + message).getBytes(StandardCharsets.UTF_8), decode(r));
        // the containers spell it differently ("; charset=UTF-8", ";charset=utf-8")
        assertEquals("text/plain;charset=utf-8", header(r, "Content-Type").replace(" ", "").toLowerCase(Locale.ROOT));
    }

    private static void assertPlain(HttpResponse<byte[]> r, String message) {
        assertEquals(200, r.statusCode());
        assertNull(header(r, "Content-Encoding"));
        assertEquals("4" + message, text(r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void largePayloadsAreGzippedWhenTheClientAcceptsIt(String kind) throws Exception {
        String m = message(5000);
        assertCompressed(echoed(kind, "echo", m, "gzip"), "gzip", m);
        assertCompressed(echoed(kind, "echo", m, "gzip, deflate, br"), "gzip", m);
        assertCompressed(echoed(kind, "echo", m, "deflate, gzip"), "gzip", m);
        assertCompressed(echoed(kind, "echo", m, "*"), "gzip", m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void deflateIsUsedWhenItIsPreferredOrTheOnlyChoice(String kind) throws Exception {
        String m = message(5000);
        assertCompressed(echoed(kind, "echo", m, "deflate"), "deflate", m);
        assertCompressed(echoed(kind, "echo", m, "gzip;q=0.5, deflate"), "deflate", m);
        assertCompressed(echoed(kind, "echo", m, "gzip;q=0, *"), "deflate", m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void theThresholdIsInclusive(String kind) throws Exception {
        String atThreshold = message(1024);
        String below = message(1023);
        assertCompressed(echoed(kind, "echo", atThreshold, "gzip"), "gzip", atThreshold);
        assertPlain(echoed(kind, "echo", below, "gzip"), below);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void nothingIsCompressedWithoutAnAcceptableEncodingOrWhenTurnedOff(String kind) throws Exception {
        String m = message(5000);
        assertPlain(echoed(kind, "echo", m, null), m);
        assertPlain(echoed(kind, "echo", m, "identity"), m);
        assertPlain(echoed(kind, "echo", m, "br"), m);
        assertPlain(echoed(kind, "echo", m, "gzip;q=0, deflate;q=0"), m);
        assertPlain(echoed(kind, "plain", m, "gzip, deflate"), m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void theSocketIoBuilderSetsBothOptions(String kind) throws Exception {
        HttpResponse<byte[]> r = Http.send(Http.request(CONTAINERS.get(kind).baseUrl() + "/sio/?EIO=4&transport=polling")
                .header("Accept-Encoding", "gzip").GET().build());
        assertEquals(200, r.statusCode());
        assertEquals("gzip", header(r, "Content-Encoding"));
        Http.sid(new String(decode(r), StandardCharsets.UTF_8));
        // errors are never compressed
        HttpResponse<byte[]> error = Http.send(Http.request(CONTAINERS.get(kind).baseUrl() + "/sio/?EIO=3&transport=polling")
                .header("Accept-Encoding", "gzip").GET().build());
        assertEquals(400, error.statusCode());
        assertNull(header(error, "Content-Encoding"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anEmitMarkedNotToBeCompressedIsSentPlain(String kind) throws Exception {
        String url = CONTAINERS.get(kind).baseUrl() + "/sio/";
        String polling = url + "?EIO=4&transport=polling&sid=" + Http.handshake(url);
        assertEquals("ok", text(Http.post(polling, "40")));
        String connected = new String(decode(Http.send(Http.request(polling).header("Accept-Encoding", "gzip")
                .GET().build())), StandardCharsets.UTF_8);
        assertTrue(connected.startsWith("40{\"sid\":\""), connected);
        String sid = connected.substring(10, connected.indexOf('"', 10));
        String message = message(2000);

        SIO.get(kind).to(sid).compress(false).emit("big", message);
        HttpResponse<byte[]> plain = Http.send(Http.request(polling).header("Accept-Encoding", "gzip").GET().build());
        assertNull(header(plain, "Content-Encoding"));
        assertEquals("42[\"big\",\"" + message + "\"]", text(plain));

        SIO.get(kind).to(sid).emit("big", message);
        HttpResponse<byte[]> compressed = Http.send(Http.request(polling).header("Accept-Encoding", "gzip").GET().build());
        assertEquals("gzip", header(compressed, "Content-Encoding"));
        assertEquals("42[\"big\",\"" + message + "\"]", new String(decode(compressed), StandardCharsets.UTF_8));
    }
}
