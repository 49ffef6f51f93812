package org.jsio.testing.web;

import static org.jsio.testing.web.Http.get;
import static org.jsio.testing.web.Http.header;
import static org.jsio.testing.web.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.jsio.servlet.SocketIoFilter;
import org.jsio.servlet.StaticFiles;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.Folders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link StaticFiles} served by a {@link SocketIoFilter}: files and directories on disk and on
 * the class path (a folder and a jar), index files, content types, HEAD, precedence between
 * Socket.IO, static files and the host application, and refused attempts to leave a directory.
 */
class StaticFilesTest {
    private static final String SECRET = "TOP-SECRET";
    private static final String PRIVATE = "CLASSPATH-PRIVATE";
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};

    private static final Map<String, WebContainer> CONTAINERS = new LinkedHashMap<>();
    private static Path root;
    private static Path site;
    private static URLClassLoader loader;
    private static SocketIoServer sio;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("jsio-static-");
        Files.writeString(root.resolve("secret.txt"), SECRET);
        site = Files.createDirectories(root.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>home</h1>");
        Files.writeString(site.resolve("app.js"), "console.log('app');");
        Files.writeString(site.resolve("app.js.map"), "{\"version\":3}");
        Files.writeString(site.resolve("style.css"), "body{}");
        Files.writeString(site.resolve("data.json"), "{\"a\":1}");
        Files.write(site.resolve("pic.png"), PNG);
        Files.write(site.resolve("photo.JPG"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});
        Files.writeString(site.resolve("logo.svg"), "<svg/>");
        Files.write(site.resolve("favicon.ico"), new byte[] {0, 0, 1, 0});
        Files.writeString(site.resolve("notes.txt"), "plain notes");
        Files.write(site.resolve("mod.wasm"), new byte[] {0, 'a', 's', 'm'});
        Files.write(site.resolve("blob.bin"), new byte[] {1, 2, 3});
        Files.writeString(site.resolve("my file ü.txt"), "spaced");
        Files.createDirectories(site.resolve("sub"));
        Files.writeString(site.resolve("sub/index.html"), "<h1>sub</h1>");
        Files.writeString(site.resolve("sub/page.html"), "<p>page</p>");
        Files.createDirectories(site.resolve("noindex"));
        Files.writeString(site.resolve("noindex/x.txt"), "x");
        Files.createDirectories(site.resolve("socket.io"));
        Files.writeString(site.resolve("socket.io/index.html"), "shadowed by Socket.IO");
        Files.createDirectories(site.resolve("host"));
        Files.writeString(site.resolve("host/static.txt"), "static wins");
        Files.writeString(root.resolve("about.md"), "# about");

        // a class path folder and a jar, each with a public folder and a private file beside it
        Path classes = Files.createDirectories(root.resolve("classes/assets/deep"));
        Files.writeString(classes.resolve("../index.html"), "<h1>cp folder</h1>");
        Files.writeString(classes.resolve("x.css"), "p{}");
        Files.writeString(root.resolve("classes/private.txt"), PRIVATE);
        Path jar = root.resolve("web.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            entry(out, "web/", null);
            entry(out, "web/hello.html", "<h1>from the jar</h1>");
            entry(out, "web/lib/", null);
            entry(out, "web/lib/index.html", "<h1>jar index</h1>");
            entry(out, "web/lib/util.js", "export{}");
            entry(out, "private.txt", PRIVATE);
        }
        loader = new URLClassLoader(new URL[] {root.resolve("classes").toUri().toURL(), jar.toUri().toURL()}, null);

        StaticFiles files = StaticFiles.builder()
                .map("/", site)
                .map("/about", root.resolve("about.md").toString(), "text/markdown; charset=utf-8")
                .map("/raw/", site.toString() + "/", "text/plain")
                .map("/jar", "classpath:web/")
                .map("/jar-hello", "classpath:web/hello.html")
                .map("/cp", "classpath:assets/")
                .classLoader(loader)
                .build();
        sio = SocketIoServer.create();
        for (String kind : EmbeddedContainer.KINDS) {
            CONTAINERS.put(kind, new WebContainer(kind)
                    .servlet("/host/*", new HostServlet())
                    .servlet("/app.js", new HostServlet())
                    .filter(new SocketIoFilter(sio, files), true)
                    .start());
        }
    }

    private static void entry(JarOutputStream out, String name, String content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        if (content != null) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        out.closeEntry();
    }

    @AfterAll
    static void stop() throws IOException {
        CONTAINERS.values().forEach(WebContainer::close);
        sio.close();
        loader.close();
        Folders.deleteTree(root);
    }

    static Stream<String> containers() {
        return Stream.of(EmbeddedContainer.KINDS);
    }

    private static String base(String kind) {
        return CONTAINERS.get(kind).baseUrl();
    }

    /** A host servlet that says so. */
    static final class HostServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            // read the body: a container may end a kept-alive connection whose request body was
            // left unread, and the test's client could then send its next request on it
            req.getInputStream().readAllBytes();
            resp.setContentType("text/plain");
            resp.getWriter().print("host " + req.getMethod() + " " + req.getRequestURI());
        }
    }

    /** The Content-Type as Tomcat writes it (Jetty keeps the space after ';'). */
    private static String contentType(HttpResponse<?> r) {
        String type = header(r, "Content-Type");
        return type == null ? null : type.replace("; ", ";");
    }

    private static void assertServed(String kind, String path, String contentType, byte[] content) throws Exception {
        HttpResponse<byte[]> r = get(base(kind) + path);
        assertEquals(200, r.statusCode(), () -> path + ": " + text(r));
        assertEquals(contentType, contentType(r), path);
        assertArrayEquals(content, r.body(), path);
        assertEquals(String.valueOf(content.length), header(r, "Content-Length"), path);
    }

    private static void assertServed(String kind, String path, String contentType, String content) throws Exception {
        assertServed(kind, path, contentType, content.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void filesAreServedWithTheContentTypeOfTheirExtension(String kind) throws Exception {
        assertServed(kind, "/app.js", "text/javascript;charset=utf-8", "console.log('app');");
        assertServed(kind, "/app.js.map", "application/json", "{\"version\":3}");
        assertServed(kind, "/style.css", "text/css;charset=utf-8", "body{}");
        assertServed(kind, "/data.json", "application/json", "{\"a\":1}");
        assertServed(kind, "/pic.png", "image/png", PNG);
        assertServed(kind, "/photo.JPG", "image/jpeg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});
        assertServed(kind, "/logo.svg", "image/svg+xml", "<svg/>");
        assertServed(kind, "/favicon.ico", "image/x-icon", new byte[] {0, 0, 1, 0});
        assertServed(kind, "/notes.txt", "text/plain;charset=utf-8", "plain notes");
        assertServed(kind, "/mod.wasm", "application/wasm", new byte[] {0, 'a', 's', 'm'});
        assertServed(kind, "/blob.bin", "application/octet-stream", new byte[] {1, 2, 3});
        assertServed(kind, "/sub/page.html", "text/html;charset=utf-8", "<p>page</p>");
        assertServed(kind, "/my%20file%20%C3%BC.txt", "text/plain;charset=utf-8", "spaced");
        assertServed(kind, "/app.js;jsessionid=abc", "text/javascript;charset=utf-8", "console.log('app');");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aRuleMayFixTheContentType(String kind) throws Exception {
        assertServed(kind, "/about", "text/markdown;charset=utf-8", "# about");
        assertServed(kind, "/raw/app.js", "text/plain", "console.log('app');");
        assertServed(kind, "/raw/pic.png", "text/plain", PNG);
        // a file rule covers exactly its path
        assertEquals(404, get(base(kind) + "/about/more").statusCode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void directoriesServeTheirIndexFile(String kind) throws Exception {
        assertServed(kind, "/", "text/html;charset=utf-8", "<h1>home</h1>");
        assertServed(kind, "/sub/", "text/html;charset=utf-8", "<h1>sub</h1>");
        assertServed(kind, "/raw/", "text/plain", "<h1>home</h1>");

        HttpResponse<byte[]> redirect = get(base(kind) + "/sub?x=1");
        assertEquals(302, redirect.statusCode());
        assertEquals("/sub/?x=1", header(redirect, "Location"));
        HttpResponse<byte[]> ruleRedirect = get(base(kind) + "/raw");
        assertEquals(302, ruleRedirect.statusCode());
        assertEquals("/raw/", header(ruleRedirect, "Location"));

        // no index file, or no file at all: the host application (here the container's 404)
        assertEquals(404, get(base(kind) + "/noindex/").statusCode());
        assertEquals(404, get(base(kind) + "/missing.txt").statusCode());
        assertEquals(404, get(base(kind) + "/sub/missing/").statusCode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void classPathFoldersAndJarsAreServed(String kind) throws Exception {
        assertServed(kind, "/jar/hello.html", "text/html;charset=utf-8", "<h1>from the jar</h1>");
        assertServed(kind, "/jar/lib/util.js", "text/javascript;charset=utf-8", "export{}");
        assertServed(kind, "/jar/lib/", "text/html;charset=utf-8", "<h1>jar index</h1>");
        assertServed(kind, "/jar-hello", "text/html;charset=utf-8", "<h1>from the jar</h1>");
        HttpResponse<byte[]> jarDirectory = get(base(kind) + "/jar/lib");
        assertEquals(302, jarDirectory.statusCode());
        assertEquals("/jar/lib/", header(jarDirectory, "Location"));
        assertEquals(404, get(base(kind) + "/jar/none.html").statusCode());

        assertServed(kind, "/cp/", "text/html;charset=utf-8", "<h1>cp folder</h1>");
        assertServed(kind, "/cp/deep/x.css", "text/css;charset=utf-8", "p{}");
        HttpResponse<byte[]> folderDirectory = get(base(kind) + "/cp/deep");
        assertEquals(302, folderDirectory.statusCode());
        assertEquals(404, get(base(kind) + "/cp/deep/").statusCode()); // a folder without index: not a listing
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void headAnswersTheHeadersWithoutTheBody(String kind) throws Exception {
        for (String path : List.of("/pic.png", "/jar/hello.html", "/cp/deep/x.css")) {
            HttpResponse<byte[]> full = get(base(kind) + path);
            HttpResponse<byte[]> head = Http.send(Http.request(base(kind) + path)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(200, head.statusCode(), path);
            assertEquals(contentType(full), contentType(head), path);
            assertEquals(String.valueOf(full.body().length), header(head, "Content-Length"), path);
            assertEquals(0, head.body().length, path);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void socketIoComesFirstThenStaticFilesThenTheHostApplication(String kind) throws Exception {
        // site/socket.io/index.html exists, but the Socket.IO path belongs to the engine
        HttpResponse<byte[]> engine = get(base(kind) + "/socket.io/");
        assertEquals(400, engine.statusCode());
        assertEquals("{\"code\":0,\"message\":\"Transport unknown\"}", text(engine));
        // site/host/static.txt beats the host servlet on /host/*; other /host/ paths reach it
        assertEquals("static wins", text(get(base(kind) + "/host/static.txt")));
        assertEquals("host GET /host/dynamic", text(get(base(kind) + "/host/dynamic")));
        // only GET and HEAD are static: a POST to a static file's path goes to the application
        HttpResponse<byte[]> posted = Http.send(Http.request(base(kind) + "/app.js")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertEquals("host POST /app.js", text(posted));
        assertEquals("host PUT /host/static.txt", text(Http.send(Http.request(base(kind) + "/host/static.txt")
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build())));
    }

    /** Request targets that try to reach secret.txt, beside the served directory, or private.txt. */
    private static final List<String> TRAVERSALS = List.of(
            "/../secret.txt",
            "/sub/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/.%2e/secret.txt",
            "/sub/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/sub/..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/sub/..%5c..%5csecret.txt",
            "/%5c..%5csecret.txt",
            "/sub\\..\\..\\secret.txt",
            "/sub/..;/..;/secret.txt",
            "/%252e%252e/secret.txt",
            "//" + "ROOT/secret.txt",
            "/%2f" + "ROOT/secret.txt",
            "/raw/%2e%2e/%2e%2e/secret.txt",
            "/raw/..%2f..%2fsecret.txt",
            "/jar/../private.txt",
            "/jar/%2e%2e/private.txt",
            "/jar/..%2fprivate.txt",
            "/jar/%2fprivate.txt",
            "/cp/../private.txt",
            "/cp/%2e%2e/private.txt",
            "/cp/..%2fprivate.txt",
            "/cp/deep/%2e%2e/%2e%2e/private.txt",
            "/./index.html",
            "/sub/%2e/index.html",
            "/notes.txt%00.png",
            "/C:%5cwindows%5cwin.ini");

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void pathsThatTryToLeaveADirectoryAreRefused(String kind) throws Exception {
        int port = CONTAINERS.get(kind).port();
        List<String> leaks = new ArrayList<>();
        for (String raw : TRAVERSALS) {
            String target = raw.replace("ROOT", root.toString().substring(1));
            Http.Raw r = Http.raw(port, "GET", target);
            if (r.text().contains(SECRET) || r.text().contains(PRIVATE) || (r.status() != 404 && r.status() != 400)) {
                leaks.add(target + " -> " + r.status() + " " + r.text());
            }
        }
        assertTrue(leaks.isEmpty(), () -> String.join("\n", leaks));
        // the files are there: only the way of asking for them was refused
        assertTrue(Files.readString(root.resolve("secret.txt")).contains(SECRET));
        assertFalse(text(get(base(kind) + "/")).contains(SECRET));
    }

    @Test
    void theInitParamSyntaxIsCheckedAndShownBack() throws Exception {
        Path dir = Files.createTempDirectory("jsio-spec-");
        try {
            Path file = Files.writeString(dir.resolve("feed"), "<rss/>");
            StaticFiles parsed = StaticFiles.parse(" /=classpath:static/ ,\n/docs=" + dir + "\n\n/feed/=" + file
                    + ";application/rss+xml; charset=utf-8");
            assertEquals("StaticFiles[/feed=" + file + ";application/rss+xml; charset=utf-8, /docs=" + dir + "/, "
                    + "/=classpath:static/]", parsed.toString());
            assertThrows(IllegalArgumentException.class, () -> StaticFiles.parse("/docs"));
            assertThrows(IllegalArgumentException.class, () -> StaticFiles.parse("docs=/var/www"));
            assertThrows(IllegalArgumentException.class, () -> StaticFiles.parse("/a/../b=/var/www"));
            assertThrows(IllegalArgumentException.class, () -> StaticFiles.parse("/a=classpath:x/../y/"));
            assertThrows(IllegalArgumentException.class, () -> StaticFiles.parse("/a=/var/www;"));
            assertThrows(IllegalArgumentException.class, () -> StaticFiles.builder().indexFile("../x.html"));
        } finally {
            Folders.deleteTree(dir);
        }
    }
}
