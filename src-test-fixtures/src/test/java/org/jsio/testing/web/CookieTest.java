package org.jsio.testing.web;

import static org.jsio.testing.web.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineOptions.Cookie;
import org.jsio.servlet.SocketIoFilter;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The session id cookie for sticky load balancers (python-engineio's {@code cookie}): off by
 * default, set on the polling handshake only when configured. Three Socket.IO servers behind
 * {@link SocketIoFilter}s: {@code /socket.io/} without a cookie, {@code /sticky/} with
 * {@code cookie("io")}, {@code /custom/} with every attribute changed.
 */
class CookieTest {
    private static final Map<String, WebContainer> CONTAINERS = new LinkedHashMap<>();
    private static final List<SocketIoServer> SERVERS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        for (String kind : EmbeddedContainer.KINDS) {
            CONTAINERS.put(kind, new WebContainer(kind)
                    .filter(new SocketIoFilter(server(EngineOptions.builder())), true)
                    .filter(new SocketIoFilter(server(EngineOptions.builder().cookie("io"))).withPath("/sticky/"), true)
                    .filter(new SocketIoFilter(server(EngineOptions.builder().cookie(Cookie.named("lb")
                            .withPath("/custom").withSameSite("strict").withHttpOnly(false).withSecure(true))))
                            .withPath("/custom/"), true)
                    .start());
        }
    }

    private static SocketIoServer server(EngineOptions.Builder options) {
        SocketIoServer s = SocketIoServer.builder().engineOptions(options.build()).build();
        SERVERS.add(s);
        return s;
    }

    @AfterAll
    static void stop() {
        CONTAINERS.values().forEach(WebContainer::close);
        SERVERS.forEach(SocketIoServer::close);
    }

    static Stream<String> containers() {
        return Stream.of(EmbeddedContainer.KINDS);
    }

    private static HttpResponse<byte[]> handshake(String kind, String path) throws Exception {
        HttpResponse<byte[]> r = Http.get(CONTAINERS.get(kind).baseUrl() + path + "?EIO=4&transport=polling");
        assertEquals(200, r.statusCode(), () -> text(r));
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void noCookieByDefault(String kind) throws Exception {
        assertEquals(List.of(), handshake(kind, "/socket.io/").headers().allValues("Set-Cookie"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aNamedCookieCarriesTheSidWithPathSameSiteAndHttpOnly(String kind) throws Exception {
        HttpResponse<byte[]> r = handshake(kind, "/sticky/");
        String sid = Http.sid(text(r));
        assertEquals(List.of("io=" + sid + "; Path=/; SameSite=Lax; HttpOnly"), r.headers().allValues("Set-Cookie"));

        // only the handshake sets it
        String polling = CONTAINERS.get(kind).baseUrl() + "/sticky/?EIO=4&transport=polling&sid=" + sid;
        HttpResponse<byte[]> posted = Http.post(polling, "40");
        assertEquals("ok", text(posted));
        assertEquals(List.of(), posted.headers().allValues("Set-Cookie"));
        HttpResponse<byte[]> polled = Http.get(polling);
        assertTrue(text(polled).startsWith("40{"), text(polled));
        assertEquals(List.of(), polled.headers().allValues("Set-Cookie"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void everyAttributeCanBeChanged(String kind) throws Exception {
        HttpResponse<byte[]> r = handshake(kind, "/custom/");
        String sid = Http.sid(text(r));
        assertEquals(List.of("lb=" + sid + "; Path=/custom; SameSite=Strict; Secure"), r.headers().allValues("Set-Cookie"));
    }

    @Test
    void badNamesAndAttributesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Cookie.named("a b"));
        assertThrows(IllegalArgumentException.class, () -> Cookie.named(""));
        assertThrows(IllegalArgumentException.class, () -> Cookie.named("io=1"));
        assertThrows(IllegalArgumentException.class, () -> Cookie.named("io").withPath("/a;b"));
        assertThrows(IllegalArgumentException.class, () -> Cookie.named("io").withSameSite("sometimes"));
        assertEquals("io=<sid>", Cookie.named("io").withPath(null).withSameSite(null).withHttpOnly(false).toString());
        assertEquals(null, EngineOptions.defaults().cookie());
    }
}
