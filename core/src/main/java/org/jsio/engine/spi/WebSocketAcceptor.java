package org.jsio.engine.spi;

/** Handed to {@link HttpExchange#upgrade}: receives the WebSocket once it is open. */
public interface WebSocketAcceptor {

    /** The largest text or binary message the adapter must accept, in bytes. */
    int maxMessageSize();

    /** Called once the WebSocket is open; returns the listener for its messages. */
    WebSocketListener open(WebSocketConnection connection);
}
