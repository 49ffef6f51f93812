package org.jsio.engine.spi;

import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One HTTP request/response pair as the engine sees it, implemented by a container adapter.
 *
 * <p>The engine calls {@link #respond} exactly once per exchange. It may do so while
 * {@link org.jsio.engine.EngineServer#handleRequest} is still running, or later from any thread
 * after it called {@link #suspend} (a held long-polling GET) or
 * {@link #readBody(int, long, BodyHandler)} (a POST body still arriving), or never if it called
 * {@link #upgrade} instead.
 */
public interface HttpExchange {

    /** The request method, upper case ({@code GET}, {@code POST}, ...). */
    String method();

    /** {@code http} or {@code https}, as the client used it. */
    String scheme();

    /** The request URI path and query string, for logs and the handshake snapshot. */
    String requestUri();

    /** All query parameters, decoded, in request order. */
    Map<String, List<String>> queryParameters();

    /** The first value of a query parameter, or {@code null}. */
    default String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** All request headers; names are lower case. */
    Map<String, List<String>> headers();

    /** The first value of a header (case-insensitive name), or {@code null}. */
    default String header(String name) {
        List<String> values = headers().get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Request cookies by name. */
    Map<String, String> cookies();

    /** The client's IP address as the container sees it. */
    String remoteAddress();

    /** The principal the container authenticated for this request, or {@code null}. */
    Principal userPrincipal();

    /** True when the request asks for a WebSocket upgrade ({@code Upgrade: websocket}). */
    boolean isWebSocketUpgrade();

    /**
     * Reads the whole request body, refusing to buffer more than {@code maxBytes}.
     *
     * @throws BodyTooLargeException when the body is longer than {@code maxBytes}
     * @throws IOException when the body cannot be read
     */
    byte[] readBody(int maxBytes) throws IOException;

    /** Receives a request body read by {@link #readBody(int, long, BodyHandler)}. */
    interface BodyHandler {
        /** The whole body arrived. */
        void onBody(byte[] body);

        /**
         * The body could not be read: a {@link BodyTooLargeException}, a
         * {@link java.net.SocketTimeoutException} when it did not arrive in time, or another
         * {@link IOException}. The exchange is still to be answered with {@link #respond}.
         */
        void onFailure(IOException failure);
    }

    /**
     * Reads the whole request body without holding a thread while it trickles in, refusing to
     * buffer more than {@code maxBytes} and giving up after {@code timeoutMillis}; calls
     * {@code handler} once, on any thread (possibly before this method returns).
     *
     * <p>The default reads with {@link #readBody(int)} on the calling thread; adapters that can
     * read asynchronously (the servlet adapter does) override it.
     */
    default void readBody(int maxBytes, long timeoutMillis, BodyHandler handler) {
        byte[] body;
        try {
            body = readBody(maxBytes);
        } catch (IOException e) {
            handler.onFailure(e);
            return;
        }
        handler.onBody(body);
    }

    /**
     * Sends the response and ends the exchange. Called once; safe from any thread after
     * {@link #suspend} or an asynchronous body read. Implementations never throw: a client that
     * went away is ignored.
     *
     * @param headers response headers (names as written); {@code Content-Length} is set by the adapter
     */
    void respond(int status, Map<String, String> headers, byte[] body);

    /**
     * Keeps the exchange open after the engine returns from {@code handleRequest}, so that it can
     * be answered later with {@link #respond}. Must be called on the thread that is handling the
     * request. {@code onAbort} runs (on any thread) if the client goes away or the container gives
     * up on the request before {@link #respond} was called.
     */
    void suspend(Runnable onAbort);

    /**
     * Turns this exchange into a WebSocket connection. The adapter completes the WebSocket
     * handshake and then calls {@link WebSocketAcceptor#open} with the new connection.
     */
    void upgrade(WebSocketAcceptor acceptor) throws IOException;

    /**
     * Whether {@link #upgrade} can succeed where this request arrived: {@code false} when the
     * container has no way to accept a WebSocket. A long-polling handshake then offers no upgrade,
     * so that clients do not try one that would be refused. {@code true} (the default).
     */
    default boolean canUpgrade() {
        return true;
    }

    /**
     * The container's own executor, when the application work that this request causes is best run
     * on the container's threads rather than handed to another pool: the thread that read it
     * then often runs it too, with no hand-off in between. {@code null} (the default): none.
     * The server runs only a bounded number of handlers on it at a time (see
     * {@code SocketIoServer.Builder#executor}).
     */
    default Executor executor() {
        return null;
    }
}
