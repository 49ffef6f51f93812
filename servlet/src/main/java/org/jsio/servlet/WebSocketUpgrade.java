package org.jsio.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jsio.engine.spi.WebSocketAcceptor;

/**
 * A way to upgrade a request to the engine's WebSocket other than the Jakarta WebSocket API
 * (which {@link ServletHttpExchange#upgrade} uses when there is none, or this one declines).
 */
interface WebSocketUpgrade {

    /**
     * Upgrades the request, binding the WebSocket to {@code acceptor}.
     *
     * @return false if this way could not even start (nothing was written; the caller uses the
     *     Jakarta API instead), true once the handshake was answered
     * @throws IOException if the request is not a valid WebSocket handshake or the handshake failed
     */
    boolean upgrade(HttpServletRequest request, HttpServletResponse response, WebSocketAcceptor acceptor)
            throws IOException;
}
