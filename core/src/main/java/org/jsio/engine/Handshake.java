package org.jsio.engine;

import java.security.Principal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jsio.engine.spi.HttpExchange;

/**
 * An immutable snapshot of the request that opened a session: what python-socketio hands to
 * handlers as {@code environ}. The live request is never kept.
 */
public final class Handshake {
    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> query;
    private final Map<String, String> cookies;
    private final String remoteAddress;
    private final String url;
    private final boolean secure;
    private final Principal principal;
    private final Instant time;

    /** Creates a snapshot from its parts (used by adapters and tests). */
    public Handshake(Map<String, List<String>> headers, Map<String, List<String>> query,
            Map<String, String> cookies, String remoteAddress, String url, boolean secure,
            Principal principal, Instant time) {
        this.headers = freeze(headers);
        this.query = freeze(query);
        this.cookies = Collections.unmodifiableMap(new LinkedHashMap<>(cookies));
        this.remoteAddress = remoteAddress;
        this.url = url;
        this.secure = secure;
        this.principal = principal;
        this.time = time;
    }

    /** Snapshots an exchange. */
    public static Handshake of(HttpExchange exchange) {
        return new Handshake(exchange.headers(), exchange.queryParameters(), exchange.cookies(),
                exchange.remoteAddress(), exchange.requestUri(), "https".equals(exchange.scheme()),
                exchange.userPrincipal(), Instant.now());
    }

    private static Map<String, List<String>> freeze(Map<String, List<String>> in) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        in.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(copy);
    }

    /** All request headers, names in lower case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of a header (case-insensitive), or {@code null}. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** All query parameters of the handshake request. */
    public Map<String, List<String>> query() {
        return query;
    }

    /** The first value of a query parameter, or {@code null}. */
    public String queryParameter(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The request's cookies. */
    public Map<String, String> cookies() {
        return cookies;
    }

    /** A cookie's value, or {@code null}. */
    public String cookie(String name) {
        return cookies.get(name);
    }

    /** The client's address as the container saw it. */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** The request URI (path and query) of the handshake. */
    public String url() {
        return url;
    }

    /** Whether the handshake came over TLS. */
    public boolean secure() {
        return secure;
    }

    /** The principal the container authenticated, or {@code null}. */
    public Principal userPrincipal() {
        return principal;
    }

    /** When the handshake was received. */
    public Instant time() {
        return time;
    }
}
