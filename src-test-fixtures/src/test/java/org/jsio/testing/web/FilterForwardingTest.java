package org.jsio.testing.web;

import static org.jsio.testing.web.Http.get;
import static org.jsio.testing.web.Http.handshake;
import static org.jsio.testing.web.Http.post;
import static org.jsio.testing.web.Http.sid;
import static org.jsio.testing.web.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jsio.servlet.SocketIoFilter;
import org.jsio.servlet.SocketIoServerFactory;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.servlet.StaticFiles;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.ErrorOutput;
import org.jsio.testing.Folders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SocketIoFilter} in front of a web application: what is not Socket.IO and not a static
 * file reaches the application exactly as if the filter were not there, and Socket.IO works
 * through it. Each container kind runs the same host application twice, with and without the
 * filter (which also serves a static directory on {@code /}, so every forwarded request was first
 * looked up there).
 */
class FilterForwardingTest {
    private static final ExecutorService ASYNC = Executors.newCachedThreadPool();
    private static final Map<String, WebContainer> WITH = new LinkedHashMap<>();
    private static final Map<String, WebContainer> WITHOUT = new LinkedHashMap<>();
    private static SocketIoServer sio;
    private static Path site;

    @BeforeAll
    static void start() throws Exception {
        sio = echoServer();
        site = Files.createTempDirectory("jsio-forwarding-");
        Files.writeString(site.resolve("index.html"), "<h1>static</h1>");
        StaticFiles files = StaticFiles.builder().map("/", site).build();
        for (String kind : EmbeddedContainer.KINDS) {
            WITH.put(kind, host(new WebContainer(kind)).filter(new SocketIoFilter(sio, files), true).start());
            WITHOUT.put(kind, host(new WebContainer(kind)).start());
        }
    }

    @AfterAll
    static void stop() {
        WITH.values().forEach(WebContainer::close);
        WITHOUT.values().forEach(WebContainer::close);
        sio.close();
        ASYNC.shutdownNow();
        Folders.deleteTree(site);
    }

    static Stream<String> containers() {
        return Stream.of(EmbeddedContainer.KINDS);
    }

    /** A Socket.IO server that sends every "echo" event back to its sender. */
    static SocketIoServer echoServer() {
        SocketIoServer server = SocketIoServer.create();
        server.on("echo", (socket, args) -> {
            socket.emit("echo", args[0]);
            return null;
        });
        return server;
    }

    private static WebContainer host(WebContainer c) {
        return c.servlet("/app/*", new HostServlet()).servlet("/async/*", new AsyncHostServlet());
    }

    /** A synchronous host servlet whose answer shows everything it received. */
    static final class HostServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            answer(req, resp);
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            answer(req, resp);
        }

        @Override
        protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            answer(req, resp);
        }

        private static void answer(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String info = String.valueOf(req.getPathInfo());
            switch (info) {
                case "/teapot":
                    resp.sendError(418, "short and stout");
                    return;
                case "/redirect":
                    resp.sendRedirect("elsewhere?x=1");
                    return;
                default:
                    break;
            }
            String received = info.equals("/form")
                    ? "field=" + Arrays.toString(req.getParameterValues("field"))
                    : "body=" + Base64.getEncoder().encodeToString(req.getInputStream().readAllBytes());
            resp.setStatus(info.equals("/created") ? 201 : 200);
            resp.setHeader("X-Host", "host servlet");
            resp.addCookie(new Cookie("host", "1"));
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter().print(req.getMethod() + " " + req.getRequestURI() + "?" + req.getQueryString()
                    + " servletPath=" + req.getServletPath() + " pathInfo=" + info + " p=" + req.getParameter("p")
                    + " " + received + " header=" + req.getHeader("X-Client") + " async=" + req.isAsyncSupported());
        }
    }

    /** A host servlet that answers from another thread after {@code startAsync}. */
    static final class AsyncHostServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            String query = req.getQueryString();
            AsyncContext ctx = req.startAsync();
            ASYNC.execute(() -> {
                try {
                    HttpServletResponse r = (HttpServletResponse) ctx.getResponse();
                    r.setStatus(202);
                    r.setHeader("X-Async", "completed elsewhere");
                    r.setContentType("application/json");
                    byte[] body = ("{\"query\":\"" + query + "\"}").getBytes(StandardCharsets.UTF_8);
                    r.setContentLength(body.length);
                    OutputStream out = r.getOutputStream();
                    out.write(body);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    ctx.complete();
                }
            });
        }
    }

    /**
     * Status, the end-to-end headers but Date, and the body bytes, with the container's own
     * address (which error pages show) written as {@code BASE}. Hop-by-hop connection management
     * is left out: whether Jetty keeps a connection whose unread request body has not fully
     * arrived yet depends on network timing, not on the application.
     */
    private record Seen(int status, Map<String, List<String>> headers, byte[] body) {
        static Seen of(HttpResponse<byte[]> r, String baseUrl) {
            Map<String, List<String>> h = new TreeMap<>();
            r.headers().map().forEach((name, values) -> h.put(name, values.stream()
                    .map(v -> v.replace(baseUrl, "BASE")).toList()));
            h.remove("date");
            h.remove(":status");
            h.remove("connection");
            h.remove("keep-alive");
            byte[] body = r.body();
            String latin1 = new String(body, StandardCharsets.ISO_8859_1);
            if (latin1.contains(baseUrl)) {
                body = latin1.replace(baseUrl, "BASE").getBytes(StandardCharsets.ISO_8859_1);
            }
            return new Seen(r.statusCode(), h, body);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
        }
    }

    private interface Request {
        HttpRequest.Builder to(String baseUrl);
    }

    /** Sends the same request with and without the filter and asserts the same answer. */
    private static void assertForwarded(String kind, Request request) throws Exception {
        String withBase = WITH.get(kind).baseUrl();
        String withoutBase = WITHOUT.get(kind).baseUrl();
        Seen a = Seen.of(Http.send(request.to(withBase).build()), withBase);
        Seen b = Seen.of(Http.send(request.to(withoutBase).build()), withoutBase);
        assertEquals(b.status, a.status, () -> kind + ": status with filter " + a + " / without " + b);
        assertEquals(b.headers, a.headers, kind + ": headers");
        assertArrayEquals(b.body, a.body, () -> kind + ": body with filter " + a + " / without " + b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void hostResponsesAreByteIdenticalWithAndWithoutTheFilter(String kind) throws Exception {
        byte[] binary = new byte[3000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        assertForwarded(kind, base -> Http.request(base + "/app/hello?p=1&q=two%20words").header("X-Client", "c"));
        assertForwarded(kind, base -> Http.request(base + "/app/created")
                .POST(HttpRequest.BodyPublishers.ofByteArray(binary)));
        assertForwarded(kind, base -> Http.request(base + "/app/form?p=q")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("field=a&field=b%26c")));
        assertForwarded(kind, base -> Http.request(base + "/app/put")
                .PUT(HttpRequest.BodyPublishers.ofString("päyload")));
        assertForwarded(kind, base -> Http.request(base + "/app/hello").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertForwarded(kind, base -> Http.request(base + "/app/hello").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertForwarded(kind, base -> Http.request(base + "/app/hello").method("DELETE", HttpRequest.BodyPublishers.noBody()));
        assertForwarded(kind, base -> Http.request(base + "/app/teapot"));
        assertForwarded(kind, base -> Http.request(base + "/app/redirect"));
        // a path under the Socket.IO path's name but not under the path itself
        assertForwarded(kind, base -> Http.request(base + "/app/socket.io/?EIO=4&transport=polling"));

        String body = text(Http.get(WITH.get(kind).baseUrl() + "/app/hello?p=1"));
        assertTrue(body.startsWith("GET /app/hello?p=1 servletPath=/app pathInfo=/hello p=1 body= header=null async=true"),
                body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anAsyncHostServletWorksThroughTheFilter(String kind) throws Exception {
        assertForwarded(kind, base -> Http.request(base + "/async/slow?x=1"));
        HttpResponse<byte[]> r = get(WITH.get(kind).baseUrl() + "/async/slow?x=1");
        assertEquals(202, r.statusCode());
        assertEquals("{\"query\":\"x=1\"}", text(r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void withoutAHostServletTheContainersDefaultAnswers404(String kind) throws Exception {
        assertForwarded(kind, base -> Http.request(base + "/nothing/here"));
        assertEquals(404, get(WITH.get(kind).baseUrl() + "/nothing/here").statusCode());
        assertForwarded(kind, base -> Http.request(base + "/nothing/here").POST(HttpRequest.BodyPublishers.ofString("x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void socketIoWorksThroughTheFilterOverPolling(String kind) throws Exception {
        String endpoint = WITH.get(kind).baseUrl() + "/socket.io/";
        String sid = handshake(endpoint);
        String polling = endpoint + "?EIO=4&transport=polling&sid=" + sid;
        assertEquals("ok", text(post(polling, "40")));
        assertTrue(text(get(polling)).startsWith("40{\"sid\":"));
        assertEquals("ok", text(post(polling, "42[\"echo\",\"through the filter\"]")));
        assertEquals("42[\"echo\",\"through the filter\"]", text(get(polling)));
        // the same path without the filter belongs to the host application: the container's 404
        assertEquals(404, get(WITHOUT.get(kind).baseUrl() + "/socket.io/?EIO=4&transport=polling").statusCode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void socketIoWorksThroughTheFilterOverWebSocket(String kind) throws Exception {
        try (Http.Ws ws = Http.Ws.open(WITH.get(kind).baseUrl() + "/socket.io/?EIO=4&transport=websocket", Map.of())) {
            Http.sid(ws.next());
            ws.send("40");
            assertTrue(ws.next().startsWith("40{\"sid\":"));
            ws.send("42[\"echo\",\"over websocket\"]");
            assertEquals("42[\"echo\",\"over websocket\"]", ws.next());
        }
    }

    // ---------------------------------------------------------------- web.xml

    /** The factory a web.xml filter names; remembers the last server it built. */
    public static final class EchoFactory implements SocketIoServerFactory {
        static final AtomicReference<SocketIoServer> LAST = new AtomicReference<>();
        static final AtomicReference<String> NAME = new AtomicReference<>();

        /** Public no-argument constructor, as the filter needs. */
        public EchoFactory() {
        }

        @Override
        public SocketIoServer create(ServletConfig config) {
            SocketIoServer server = echoServer();
            NAME.set(config.getServletName() + " greeting=" + config.getInitParameter("greeting"));
            LAST.set(server);
            return server;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aFilterDeclaredLikeWebXmlTakesFactoryPathAndStaticFromItsInitParams(String kind) throws Exception {
        Path docs = Files.createTempDirectory("jsio-docs-");
        Files.writeString(docs.resolve("guide.txt"), "the guide");
        Files.writeString(docs.resolve("readme"), "# read me");
        SocketIoServer built;
        try (WebContainer c = new WebContainer(kind).filter(SocketIoFilter.class, Map.of(
                "factory", EchoFactory.class.getName(),
                "greeting", "hello",
                "path", "realtime",
                "static", "/docs=" + docs + "/ ,\n /readme.md=" + docs.resolve("readme") + ";text/markdown")).start()) {
            built = EchoFactory.LAST.get();
            assertEquals("filter-0 greeting=hello", EchoFactory.NAME.get());

            String endpoint = c.baseUrl() + "/realtime/";
            String sid = handshake(endpoint);
            String polling = endpoint + "?EIO=4&transport=polling&sid=" + sid;
            assertEquals("ok", text(post(polling, "40")));
            assertTrue(text(get(polling)).startsWith("40{\"sid\":"));
            assertEquals(1, built.engine().sessionCount());
            assertEquals(404, get(c.baseUrl() + "/socket.io/?EIO=4&transport=polling").statusCode());

            HttpResponse<byte[]> guide = get(c.baseUrl() + "/docs/guide.txt");
            assertEquals(200, guide.statusCode());
            assertEquals("the guide", text(guide));
            HttpResponse<byte[]> readme = get(c.baseUrl() + "/readme.md");
            assertEquals("# read me", text(readme));
            assertEquals("text/markdown", Http.header(readme, "Content-Type"));
            assertEquals(404, get(c.baseUrl() + "/docs/other.txt").statusCode());
            assertTrue(!built.engine().scheduler().isShutdown());
        } finally {
            Folders.deleteTree(docs);
        }
        // the filter built the server, so it closed it
        assertTrue(built.engine().scheduler().isShutdown());
    }

    // ---------------------------------------------------------------- misconfiguration

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aFilterThatIsNotAsyncSupportedIsRefusedWithAClearError(String kind) throws Exception {
        try (SocketIoServer server = echoServer();
             WebContainer c = new WebContainer(kind).filter(new SocketIoFilter(server), false).start()) {
            assertRefusedAsNotAsync(c, "filter filter-0");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aFilterInFrontOfTheServletThatIsNotAsyncSupportedIsRefusedWithAClearError(String kind) throws Exception {
        jakarta.servlet.Filter passThrough = (request, response, chain) -> chain.doFilter(request, response);
        try (SocketIoServer server = echoServer();
             WebContainer c = new WebContainer(kind).filter(passThrough, false)
                     .servlet("/socket.io/*", new org.jsio.servlet.SocketIoServlet(server)).start()) {
            assertRefusedAsNotAsync(c, "servlet servlet-0");
        }
    }

    /** Every Socket.IO request is answered 500 with a JSON body, the first logged as an ERROR. */
    private static void assertRefusedAsNotAsync(WebContainer c, String who) throws Exception {
        String endpoint = c.baseUrl() + "/socket.io/?EIO=4&transport=polling";
        String setting = "set <async-supported>true</async-supported> (or setAsyncSupported(true)) on the "
                + "SocketIoServlet or SocketIoFilter and on every filter in front of it";
        String logged;
        try (ErrorOutput err = new ErrorOutput()) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> refused = get(endpoint);
                assertEquals(500, refused.statusCode());
                assertTrue(Http.header(refused, "Content-Type").startsWith("application/json"),
                        Http.header(refused, "Content-Type"));
                assertEquals("{\"code\":500,\"message\":\"Socket.IO needs asynchronous requests: " + setting + "\"}",
                        text(refused));
            }
            logged = err.text();
        }
        List<String> errors = logged.lines().filter(l -> l.contains("ERROR")).toList();
        assertEquals(1, errors.size(), logged);
        assertTrue(errors.get(0).contains(who + ": GET /socket.io/ refused with 500") && errors.get(0).contains(setting),
                errors.get(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void startingWithoutWebSocketSupportLogsWhatToChange(String kind) throws Exception {
        String warning = "no Jakarta WebSocket support";
        try (SocketIoServer server = echoServer()) {
            String with;
            try (ErrorOutput err = new ErrorOutput();
                 WebContainer c = new WebContainer(kind).filter(new SocketIoFilter(server), true).start()) {
                String open = text(get(c.baseUrl() + "/socket.io/?EIO=4&transport=polling"));
                assertTrue(open.contains("\"upgrades\":[\"websocket\"]"), open);
                with = err.text();
            }
            assertTrue(!with.contains(warning), with);
            // Jetty's WebSocket core and Tomcat's Servlet API upgrade need no Jakarta layer: no
            // warning, and the upgrade works
            try (ErrorOutput err = new ErrorOutput();
                 WebContainer c = new WebContainer(kind).withoutWebSocket()
                         .filter(new SocketIoFilter(server), true).start();
                 Http.Ws ws = Http.Ws.open(c.baseUrl() + "/socket.io/?EIO=4&transport=websocket", Map.of())) {
                String open = ws.next();
                assertTrue(open.startsWith("0{\"sid\":"), open);
                assertTrue(!err.text().contains(warning), err.text());
            }
            String without;
            // with both switched off, only the Jakarta WebSocket API is left
            Map<String, String> jakartaOnly = Map.of(SocketIoServlet.JETTY_CORE_PARAM, "false",
                    SocketIoServlet.SERVLET_UPGRADE_PARAM, "false");
            try (ErrorOutput err = new ErrorOutput();
                 WebContainer c = new WebContainer(kind).withoutWebSocket()
                         .filter(new SocketIoFilter(server), true, jakartaOnly).start()) {
                without = err.text();
                // polling still works, and offers no upgrade; one tried anyway is refused with the
                // engine's 400, and the client stays on polling
                String open = text(get(c.baseUrl() + "/socket.io/?EIO=4&transport=polling"));
                assertTrue(open.contains("\"upgrades\":[]"), open);
                String sid = sid(open);
                Http.Raw upgrade = Http.raw(c.port(), "GET", "/socket.io/?EIO=4&transport=websocket&sid=" + sid,
                        Map.of("Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13",
                                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="));
                assertEquals(400, upgrade.status(), upgrade::toString);
                assertEquals("{\"code\":3,\"message\":\"Bad request\"}", upgrade.text());
                assertEquals("ok", text(post(c.baseUrl() + "/socket.io/?EIO=4&transport=polling&sid=" + sid, "40")));
            }
            String line = without.lines().filter(l -> l.contains(warning)).findFirst().orElse(null);
            assertTrue(line != null, without);
            assertTrue(line.contains("WARN") && line.contains("filter filter-0") && line.contains("WsSci")
                    && line.contains("JakartaWebSocketServletContainerInitializer"), line);
        }
    }

    @Test
    void theSocketIoPathIsNormalizedAndCannotBeTheRoot() {
        try (SocketIoServer server = echoServer()) {
            SocketIoFilter filter = new SocketIoFilter(server);
            assertEquals("/socket.io/", filter.path());
            assertEquals("/realtime/", filter.withPath("realtime").path());
            assertEquals("/realtime/", filter.withPath("/realtime/").path());
            assertEquals("/a/b/", filter.withPath("/a/b").path());
            assertEquals(server.engine(), filter.withPath("/x/").engine());
            assertThrows(IllegalArgumentException.class, () -> filter.withPath("/"));
            assertThrows(IllegalStateException.class, () -> new SocketIoFilter().withPath("/x/"));
            assertNull(new SocketIoFilter().engine());
        }
    }
}
