package org.jsio.socketio;

/**
 * Runs before every event from a client is dispatched (Node's {@code socket.use}). Throw to stop
 * the event: the exception goes to the namespace's {@link ErrorHandler} and the handler does not
 * run.
 */
@FunctionalInterface
public interface PacketMiddleware {
    /** Checks (or inspects) an incoming event; returns normally to let it through. */
    void check(Socket socket, String event, Object[] args) throws Exception;
}
