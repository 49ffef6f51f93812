package org.jsio.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jsio.engine.spi.BodyTooLargeException;
import org.jsio.engine.spi.HttpExchange;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.jsio.engine.spi.WebSocketListener;

/** An in-memory HTTP exchange for engine tests. */
final class FakeExchange implements HttpExchange {
    final String method;
    final Map<String, List<String>> query = new LinkedHashMap<>();
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    byte[] body = new byte[0];
    final CompletableFuture<Response> response = new CompletableFuture<>();
    volatile Runnable onAbort;
    volatile boolean suspended;
    final FakeWebSocket socket = new FakeWebSocket();
    volatile WebSocketListener listener;
    /** What {@link #canUpgrade} says. */
    volatile boolean canUpgrade = true;
    /** Thrown by {@link #respond} instead of answering, as an adapter that breaks its contract would. */
    volatile RuntimeException respondFailure;

    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    FakeExchange(String method, String query) {
        this.method = method;
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                this.query.computeIfAbsent(pair.substring(0, eq), k -> new java.util.ArrayList<>())
                        .add(pair.substring(eq + 1));
            }
        }
    }

    FakeExchange body(String text) {
        this.body = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    FakeExchange header(String name, String value) {
        headers.put(name.toLowerCase(java.util.Locale.ROOT), List.of(value));
        return this;
    }

    Response await() throws Exception {
        return response.get(5, TimeUnit.SECONDS);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String requestUri() {
        return "/engine.io/";
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
        return Map.of();
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
    public byte[] readBody(int maxBytes) throws IOException {
        if (body.length > maxBytes) {
            throw new BodyTooLargeException(maxBytes);
        }
        return body;
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) {
        RuntimeException failure = respondFailure;
        if (failure != null) {
            throw failure;
        }
        if (!response.complete(new Response(status, headers, body))) {
            throw new AssertionError("responded twice");
        }
    }

    @Override
    public boolean canUpgrade() {
        return canUpgrade;
    }

    @Override
    public void suspend(Runnable onAbort) {
        this.suspended = true;
        this.onAbort = onAbort;
    }

    @Override
    public void upgrade(WebSocketAcceptor acceptor) {
        listener = acceptor.open(socket);
    }
}
