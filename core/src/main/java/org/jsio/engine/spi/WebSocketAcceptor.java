package org.jsio.engine.spi;

/** Handed to {@link HttpExchange#upgrade}: receives the WebSocket once it is open. */
public interface WebSocketAcceptor {

    /** The largest text or binary message the adapter must accept, in bytes. */
    int maxMessageSize();

    /**
     * How long the adapter may let the connection sit with no frame read or written before the
     * container closes it, in milliseconds (0: never). The engine's heartbeat keeps a live client
     * well inside it; it only reclaims connections the engine already gave up on, such as a
     * client that stopped reading before its close frame could be written.
     */
    default long idleTimeoutMillis() {
        return 0;
    }

    /** Called once the WebSocket is open; returns the listener for its messages. */
    WebSocketListener open(WebSocketConnection connection);
}
