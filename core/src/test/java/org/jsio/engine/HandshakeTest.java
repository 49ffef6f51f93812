package org.jsio.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private static Handshake sample() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put(new String("host"), List.of("example.org"));
        headers.put(new String("x-custom"), List.of("a", "b"));
        headers.put(new String("upgrade"), List.of(new String("websocket")));
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("EIO", List.of("4"));
        query.put("token", List.of("s3cret", "other"));
        Map<String, String> cookies = new LinkedHashMap<>();
        cookies.put("io", "abc");
        cookies.put("theme", "dark");
        return new Handshake(headers, query, cookies, "127.0.0.1", "/socket.io/?EIO=4", false, null, Instant.EPOCH);
    }

    @Test
    void keepsEveryHeaderQueryParameterAndCookieInOrder() {
        Handshake h = sample();
        assertEquals(List.of("host", "x-custom", "upgrade"), List.copyOf(h.headers().keySet()));
        assertEquals(List.of("a", "b"), h.headers().get("x-custom"));
        assertEquals("a", h.header("X-Custom"));
        assertEquals("websocket", h.header("Upgrade"));
        assertNull(h.header("origin"));
        assertEquals(List.of("EIO", "token"), List.copyOf(h.query().keySet()));
        assertEquals(List.of("s3cret", "other"), h.query().get("token"));
        assertEquals("s3cret", h.queryParameter("token"));
        assertNull(h.queryParameter("eio"));
        assertEquals(Map.of("io", "abc", "theme", "dark"), h.cookies());
        assertEquals(List.of("io", "theme"), List.copyOf(h.cookies().keySet()));
        assertEquals("dark", h.cookie("theme"));
        assertNull(h.cookie("none"));
    }

    @Test
    void viewsAreImmutableAndMadeOnce() {
        Handshake h = sample();
        assertSame(h.headers(), h.headers());
        assertSame(h.query(), h.query());
        assertSame(h.cookies(), h.cookies());
        assertThrows(UnsupportedOperationException.class, () -> h.headers().put("a", List.of()));
        assertThrows(UnsupportedOperationException.class, () -> h.headers().get("x-custom").add("c"));
        assertThrows(UnsupportedOperationException.class, () -> h.query().remove("EIO"));
        assertThrows(UnsupportedOperationException.class, () -> h.cookies().clear());
    }

    @Test
    void commonNamesAndValuesAreSharedAndTheCallersMapsAreNotKept() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put(new String("upgrade"), new java.util.ArrayList<>(List.of(new String("websocket"))));
        Handshake h = new Handshake(headers, Map.of(), Map.of(), "::1", "/", true, null, Instant.EPOCH);
        headers.get("upgrade").add("changed");
        headers.put("late", List.of("x"));
        assertEquals(Map.of("upgrade", List.of("websocket")), h.headers());
        assertSame("upgrade", h.headers().keySet().iterator().next());
        assertSame("websocket", h.header("upgrade"));
        assertTrue(h.query().isEmpty());
        assertTrue(h.cookies().isEmpty());
    }
}
