package org.jsio.testing.web;

import static org.jsio.testing.web.Http.header;
import static org.jsio.testing.web.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineServer;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.testing.ConformanceServer;
import org.jsio.testing.EmbeddedContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CORS and the Origin check, as python-engineio's {@code cors_allowed_origins} and
 * {@code cors_credentials}, on every transport: one endpoint per setting in each container.
 * <ul>
 *   <li>{@code /default/}: nothing configured, same origin only;</li>
 *   <li>{@code /list/}: {@code http://allowed.example} (credentials on, the default);</li>
 *   <li>{@code /any/}: {@code *} with credentials off;</li>
 *   <li>{@code /off/}: an empty list, CORS handling off.</li>
 * </ul>
 */
class CorsTest {
    private static final String ALLOWED = "http://allowed.example";
    private static final String FOREIGN = "http://evil.example";
    private static final String REFUSED = "{\"code\":3,\"message\":\"Bad request\"}";

    private static final Map<String, EmbeddedContainer> CONTAINERS = new LinkedHashMap<>();
    /** The engine behind each endpoint, by container kind and endpoint: {@code "jetty/list"}. */
    private static final Map<String, EngineServer> ENGINES = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        for (String kind : EmbeddedContainer.KINDS) {
            CONTAINERS.put(kind, EmbeddedContainer.create(kind)
                    .mount("/default/*", new SocketIoServlet(echo(kind, "default", EngineOptions.builder())))
                    .mount("/list/*", new SocketIoServlet(echo(kind, "list",
                            EngineOptions.builder().corsAllowedOrigins(ALLOWED))))
                    .mount("/any/*", new SocketIoServlet(echo(kind, "any", EngineOptions.builder()
                            .corsAllowedOrigins("*").corsCredentials(false))))
                    .mount("/off/*", new SocketIoServlet(echo(kind, "off",
                            EngineOptions.builder().corsAllowedOrigins(List.of()))))
                    .start(0));
        }
    }

    private static EngineServer echo(String kind, String endpoint, EngineOptions.Builder options) {
        EngineServer engine = ConformanceServer.echoEngine(options.build());
        ENGINES.put(kind + "/" + endpoint, engine);
        return engine;
    }

    @AfterAll
    static void stop() {
        CONTAINERS.values().forEach(EmbeddedContainer::close);
        ENGINES.values().forEach(EngineServer::close);
    }

    static Stream<String> containers() {
        return Stream.of(EmbeddedContainer.KINDS);
    }

    private static String handshakeUrl(String kind, String endpoint) {
        return CONTAINERS.get(kind).baseUrl() + "/" + endpoint + "/?EIO=4&transport=polling";
    }

    private static HttpResponse<byte[]> handshake(String kind, String endpoint, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = Http.request(handshakeUrl(kind, endpoint));
        headers.forEach(b::header);
        return Http.send(b.GET().build());
    }

    private static HttpResponse<byte[]> preflight(String kind, String endpoint, String origin) throws Exception {
        return Http.send(Http.request(handshakeUrl(kind, endpoint))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, x-token")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    }

    /** A WebSocket handshake on a raw connection: 101, or the engine's refusal. */
    private static Http.Raw webSocket(String kind, String endpoint, String origin) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        h.put("Sec-WebSocket-Version", "13");
        h.put("Origin", origin);
        return Http.raw(CONTAINERS.get(kind).port(), "GET", "/" + endpoint + "/?EIO=4&transport=websocket", h);
    }

    private static void assertRefused(HttpResponse<byte[]> r) {
        assertEquals(400, r.statusCode(), () -> text(r));
        assertEquals(REFUSED, text(r));
        assertEquals("application/json", header(r, "Content-Type"));
        assertNull(header(r, "Access-Control-Allow-Origin"));
    }

    private static void assertAccepted(HttpResponse<byte[]> r) {
        assertEquals(200, r.statusCode(), () -> text(r));
        Http.sid(text(r));
    }

    private static void assertNoCorsHeaders(HttpResponse<byte[]> r) {
        r.headers().map().keySet().forEach(name ->
                assertTrue(!name.toLowerCase().startsWith("access-control-"), () -> "unexpected " + name));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void byDefaultOnlyTheServersOwnOriginIsAccepted(String kind) throws Exception {
        String own = CONTAINERS.get(kind).baseUrl();
        HttpResponse<byte[]> noOrigin = handshake(kind, "default", Map.of());
        assertAccepted(noOrigin);
        assertNoCorsHeaders(noOrigin);

        HttpResponse<byte[]> same = handshake(kind, "default", Map.of("Origin", own));
        assertAccepted(same);
        assertEquals(own, header(same, "Access-Control-Allow-Origin"));
        assertEquals("true", header(same, "Access-Control-Allow-Credentials"));
        assertEquals("Origin", header(same, "Vary"));

        assertRefused(handshake(kind, "default", Map.of("Origin", FOREIGN)));
        assertRefused(handshake(kind, "default", Map.of("Origin", own.replace("http:", "https:"))));
        assertRefused(handshake(kind, "default", Map.of("Origin", "null")));
        assertRefused(preflight(kind, "default", FOREIGN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void behindAReverseProxyTheForwardedOriginIsTheServersOwn(String kind) throws Exception {
        // python-engineio: X-Forwarded-Proto / X-Forwarded-Host name the origin the browser sees
        assertAccepted(handshake(kind, "default", Map.of("Origin", "https://chat.example",
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "chat.example")));
        assertAccepted(handshake(kind, "default", Map.of("Origin", "https://chat.example:8443",
                "X-Forwarded-Proto", "https, http", "X-Forwarded-Host", "chat.example:8443, inner")));
        assertRefused(handshake(kind, "default", Map.of("Origin", "https://other.example",
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "chat.example")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aListAcceptsItsOriginsWithCredentials(String kind) throws Exception {
        HttpResponse<byte[]> allowed = handshake(kind, "list", Map.of("Origin", ALLOWED));
        assertAccepted(allowed);
        assertEquals(ALLOWED, header(allowed, "Access-Control-Allow-Origin"));
        assertEquals("true", header(allowed, "Access-Control-Allow-Credentials"));
        assertRefused(handshake(kind, "list", Map.of("Origin", FOREIGN)));

        // an existing session cannot be used from a foreign origin either
        String sid = Http.sid(text(allowed));
        String polling = handshakeUrl(kind, "list") + "&sid=" + sid;
        assertRefused(Http.send(Http.request(polling).header("Origin", FOREIGN)
                .POST(HttpRequest.BodyPublishers.ofString("4hello")).build()));
        HttpResponse<byte[]> posted = Http.send(Http.request(polling).header("Origin", ALLOWED)
                .POST(HttpRequest.BodyPublishers.ofString("4hello")).build());
        assertEquals("ok", text(posted));
        assertEquals(ALLOWED, header(posted, "Access-Control-Allow-Origin"));
        HttpResponse<byte[]> polled = Http.send(Http.request(polling).header("Origin", ALLOWED).GET().build());
        assertEquals("4hello", text(polled));
        assertEquals(ALLOWED, header(polled, "Access-Control-Allow-Origin"));
        assertEquals("true", header(polled, "Access-Control-Allow-Credentials"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aHeldPollIsAnsweredWithTheCorsHeadersOfItsOwnRequest(String kind) throws Exception {
        String sid = Http.sid(text(handshake(kind, "list", Map.of("Origin", ALLOWED))));
        String polling = handshakeUrl(kind, "list") + "&sid=" + sid;
        CompletableFuture<HttpResponse<byte[]>> held = Http.sendAsync(Http.request(polling)
                .header("Origin", ALLOWED).GET().build());
        awaitHeld(ENGINES.get(kind + "/list"), sid);

        // The data comes in a request without Origin, answered on another thread; the held
        // poll's answer still carries the headers its own request called for.
        HttpResponse<byte[]> posted = Http.post(polling, "4hello");
        assertEquals("ok", text(posted));
        assertNull(header(posted, "Access-Control-Allow-Origin"));
        HttpResponse<byte[]> polled = held.get(Http.WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("4hello", text(polled));
        assertEquals(ALLOWED, header(polled, "Access-Control-Allow-Origin"));
        assertEquals("true", header(polled, "Access-Control-Allow-Credentials"));
    }

    /** Waits until the engine holds the session's poll, waiting for data to answer it with. */
    private static void awaitHeld(EngineServer engine, String sid) throws InterruptedException {
        long deadline = System.nanoTime() + Http.WAIT.toNanos();
        while (!engine.session(sid).pollWaiting()) {
            if (System.nanoTime() - deadline > 0) {
                fail("the poll was not held");
            }
            TimeUnit.MILLISECONDS.sleep(20); // the pause between two looks
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aPreflightIsAnswered204WithWhatTheBrowserAsked(String kind) throws Exception {
        HttpResponse<byte[]> r = preflight(kind, "list", ALLOWED);
        assertEquals(204, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(ALLOWED, header(r, "Access-Control-Allow-Origin"));
        assertEquals("OPTIONS, GET, POST", header(r, "Access-Control-Allow-Methods"));
        assertEquals("content-type, x-token", header(r, "Access-Control-Allow-Headers"));
        assertEquals("86400", header(r, "Access-Control-Max-Age"));
        assertEquals("true", header(r, "Access-Control-Allow-Credentials"));
        assertRefused(preflight(kind, "list", FOREIGN));

        HttpResponse<byte[]> own = preflight(kind, "default", CONTAINERS.get(kind).baseUrl());
        assertEquals(204, own.statusCode());
        assertEquals("OPTIONS, GET, POST", header(own, "Access-Control-Allow-Methods"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aStarAcceptsAnyOriginAndCredentialsCanBeTurnedOff(String kind) throws Exception {
        HttpResponse<byte[]> r = handshake(kind, "any", Map.of("Origin", FOREIGN));
        assertAccepted(r);
        assertEquals(FOREIGN, header(r, "Access-Control-Allow-Origin"));
        assertNull(header(r, "Access-Control-Allow-Credentials"));

        HttpResponse<byte[]> p = preflight(kind, "any", FOREIGN);
        assertEquals(204, p.statusCode());
        assertEquals(FOREIGN, header(p, "Access-Control-Allow-Origin"));
        assertEquals("OPTIONS, GET, POST", header(p, "Access-Control-Allow-Methods"));
        assertNull(header(p, "Access-Control-Allow-Credentials"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anEmptyListTurnsCorsOff(String kind) throws Exception {
        HttpResponse<byte[]> r = handshake(kind, "off", Map.of("Origin", FOREIGN));
        assertAccepted(r);
        assertNoCorsHeaders(r);
        HttpResponse<byte[]> p = preflight(kind, "off", FOREIGN);
        assertEquals(204, p.statusCode());
        assertNoCorsHeaders(p);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void theWebSocketUpgradeChecksTheOriginToo(String kind) throws Exception {
        String own = CONTAINERS.get(kind).baseUrl();
        for (String[] refused : new String[][] {{"default", FOREIGN}, {"list", FOREIGN}}) {
            Http.Raw r = webSocket(kind, refused[0], refused[1]);
            assertEquals(400, r.status(), () -> refused[0] + ": " + r);
            assertEquals(REFUSED, r.text(), refused[0]);
        }
        for (String[] accepted : new String[][] {{"default", own}, {"list", ALLOWED}, {"any", FOREIGN},
                {"off", FOREIGN}}) {
            Http.Raw r = webSocket(kind, accepted[0], accepted[1]);
            assertEquals(101, r.status(), () -> accepted[0] + ": " + r);
        }
        // and a session opened over polling cannot be upgraded from a foreign origin
        String sid = Http.sid(text(handshake(kind, "list", Map.of("Origin", ALLOWED))));
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        h.put("Sec-WebSocket-Version", "13");
        h.put("Origin", FOREIGN);
        Http.Raw upgrade = Http.raw(CONTAINERS.get(kind).port(), "GET",
                "/list/?EIO=4&transport=websocket&sid=" + sid, h);
        assertEquals(400, upgrade.status());
        assertEquals(REFUSED, upgrade.text());
        // a real client from an accepted origin gets through
        try (Http.Ws ws = Http.Ws.open(own + "/list/?EIO=4&transport=websocket", Map.of("Origin", ALLOWED))) {
            Http.sid(ws.next());
            ws.send("4over websocket");
            assertEquals("4over websocket", ws.next());
        }
    }
}
