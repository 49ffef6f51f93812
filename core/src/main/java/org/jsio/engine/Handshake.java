package org.jsio.engine;

import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
    /**
     * Header and query names and values that nearly every request carries, so that a session
     * keeps one shared copy of each instead of its own (the snapshot is held for the session's
     * whole life, so its size counts per idle client).
     */
    private static final Map<String, String> COMMON = common(
            "host", "connection", "upgrade", "origin", "user-agent", "accept", "accept-encoding",
            "accept-language", "cache-control", "pragma", "cookie", "referer", "content-type",
            "content-length", "authorization", "x-forwarded-for", "x-forwarded-proto", "x-real-ip",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
            "sec-websocket-protocol", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
            "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "dnt", "te",
            "EIO", "transport", "sid", "t", "j", "b64", "4", "3", "websocket", "polling", "Upgrade",
            "upgrade", "keep-alive", "Keep-Alive", "keep-alive, Upgrade", "13", "*/*", "no-cache",
            "gzip, deflate", "gzip, deflate, br", "gzip, deflate, br, zstd",
            "permessage-deflate; client_max_window_bits");

    private static final String[] NONE = new String[0];

    /** Name, value, name, value... in request order; a name appears once per value. */
    private final String[] headerPairs;
    private final String[] queryPairs;
    private final String[] cookiePairs;
    private final String remoteAddress;
    private final String url;
    private final boolean secure;
    private final Principal principal;
    private final Instant time;
    /** The map views, made on first use. */
    private volatile Map<String, List<String>> headers;
    private volatile Map<String, List<String>> query;
    private volatile Map<String, String> cookies;

    /** Creates a snapshot from its parts (used by adapters and tests). */
    public Handshake(Map<String, List<String>> headers, Map<String, List<String>> query,
            Map<String, String> cookies, String remoteAddress, String url, boolean secure,
            Principal principal, Instant time) {
        this.headerPairs = pairs(headers);
        this.queryPairs = pairs(query);
        String[] c = NONE;
        if (!cookies.isEmpty()) {
            c = new String[cookies.size() * 2];
            int i = 0;
            for (Map.Entry<String, String> e : cookies.entrySet()) {
                c[i++] = e.getKey();
                c[i++] = e.getValue();
            }
        }
        this.cookiePairs = c;
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

    private static Map<String, String> common(String... values) {
        Map<String, String> m = new HashMap<>();
        for (String v : values) {
            m.put(v, v);
        }
        return Map.copyOf(m);
    }

    private static String shared(String s) {
        String c = s == null ? null : COMMON.get(s);
        return c != null ? c : s;
    }

    private static String[] pairs(Map<String, List<String>> in) {
        int n = 0;
        for (List<String> v : in.values()) {
            n += v.size();
        }
        if (n == 0) {
            return NONE;
        }
        String[] out = new String[n * 2];
        int i = 0;
        for (Map.Entry<String, List<String>> e : in.entrySet()) {
            String name = shared(e.getKey());
            for (String v : e.getValue()) {
                out[i++] = name;
                out[i++] = shared(v);
            }
        }
        return out;
    }

    private static Map<String, List<String>> multiMap(String[] pairs) {
        if (pairs.length == 0) {
            return Map.of();
        }
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.computeIfAbsent(pairs[i], k -> new ArrayList<>(1)).add(pairs[i + 1]);
        }
        m.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(m);
    }

    private static String first(String[] pairs, String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    /** All request headers, names in lower case. */
    public Map<String, List<String>> headers() {
        Map<String, List<String>> m = headers;
        if (m == null) {
            m = multiMap(headerPairs);
            headers = m;
        }
        return m;
    }

    /** The first value of a header (case-insensitive), or {@code null}. */
    public String header(String name) {
        return first(headerPairs, name.toLowerCase(Locale.ROOT));
    }

    /** All query parameters of the handshake request. */
    public Map<String, List<String>> query() {
        Map<String, List<String>> m = query;
        if (m == null) {
            m = multiMap(queryPairs);
            query = m;
        }
        return m;
    }

    /** The first value of a query parameter, or {@code null}. */
    public String queryParameter(String name) {
        return first(queryPairs, name);
    }

    /** The request's cookies. */
    public Map<String, String> cookies() {
        Map<String, String> m = cookies;
        if (m == null) {
            if (cookiePairs.length == 0) {
                m = Map.of();
            } else {
                Map<String, String> c = new LinkedHashMap<>();
                for (int i = 0; i < cookiePairs.length; i += 2) {
                    c.putIfAbsent(cookiePairs[i], cookiePairs[i + 1]);
                }
                m = Collections.unmodifiableMap(c);
            }
            cookies = m;
        }
        return m;
    }

    /** A cookie's value, or {@code null}. */
    public String cookie(String name) {
        return first(cookiePairs, name);
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
