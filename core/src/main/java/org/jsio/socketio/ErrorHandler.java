package org.jsio.socketio;

/**
 * Receives what an event handler (or packet middleware) threw, instead of the log (Flask-SocketIO's
 * {@code on_error} / {@code on_error_default}). The client stays connected and its next events
 * are handled as usual.
 */
@FunctionalInterface
public interface ErrorHandler {
    /**
     * @param socket the client whose event failed
     * @param event the event name
     * @param args the event's arguments
     * @param error what the handler threw
     */
    void onError(Socket socket, String event, Object[] args, Exception error);
}
