package org.jsio.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jsio.engine.spi.HttpExchange;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.jsio.engine.spi.WebSocketListener;

/**
 * The WebSocket handshake request of a {@link SocketIoTestClient}, handed to
 * {@code EngineServer.handleRequest} in place of a container's request: a {@code GET} to
 * {@code /socket.io/} with {@code Upgrade: websocket} from 127.0.0.1. The upgrade opens the
 * client's in-memory connection; any HTTP response is kept so that a refusal can be reported.
 */
final class InMemoryUpgrade implements HttpExchange {
    private static final String PATH = "/socket.io/";

    private final Map<String, List<String>> query;
    private final Map<String, List<String>> headers;
    private final Map<String, String> cookies;
    private final String requestUri;
    private final Function<WebSocketAcceptor, WebSocketListener> opener;
    private volatile WebSocketListener listener;
    private volatile int status;
    private volatile byte[] body;

    /**
     * @param query the query parameters, {@code EIO} and {@code transport} included
     * @param headers the headers, names in lower case
     * @param opener opens the client's connection with the engine's acceptor and returns the
     *     engine's listener
     */
    InMemoryUpgrade(Map<String, List<String>> query, Map<String, List<String>> headers,
            Function<WebSocketAcceptor, WebSocketListener> opener) {
        this.query = freeze(query);
        this.headers = freeze(headers);
        this.cookies = parseCookies(header("cookie"));
        this.requestUri = PATH + "?" + queryString(this.query);
        this.opener = opener;
    }

    private static Map<String, List<String>> freeze(Map<String, List<String>> in) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        in.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(copy);
    }

    private static String queryString(Map<String, List<String>> query) {
        StringBuilder sb = new StringBuilder();
        query.forEach((name, values) -> {
            for (String value : values) {
                if (sb.length() > 0) {
                    sb.append('&');
                }
                sb.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return sb.toString();
    }

    private static Map<String, String> parseCookies(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (header != null) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    out.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The engine's listener once the upgrade happened, else {@code null}. */
    WebSocketListener listener() {
        return listener;
    }

    /** The HTTP status the engine answered with instead of upgrading, or 0. */
    int status() {
        return status;
    }

    /** The body of that answer, as text. */
    String responseText() {
        byte[] b = body;
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String requestUri() {
        return requestUri;
    }

    @Override
    public Map<String, List<String>> queryParameters() {
        return query;
    }

    @Override
    public Map<String, List<String>> headers() {
        return headers;
    }

    @Override
    public Map<String, String> cookies() {
        return cookies;
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1";
    }

    @Override
    public Principal userPrincipal() {
        return null;
    }

    @Override
    public boolean isWebSocketUpgrade() {
        return "websocket".equalsIgnoreCase(header("upgrade"));
    }

    @Override
    public byte[] readBody(int maxBytes) {
        return new byte[0];
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) {
        this.body = body.clone();
        this.status = status;
    }

    @Override
    public void suspend(Runnable onAbort) {
        // A handshake is never held; nothing to keep.
    }

    @Override
    public void upgrade(WebSocketAcceptor acceptor) {
        listener = opener.apply(acceptor);
    }

    /** A mutable multi-map helper for building query and header maps in order. */
    static void add(Map<String, List<String>> map, String name, String value) {
        map.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
}
