package org.jsio.socketio;

import java.util.Map;

/**
 * Runs before the connect handler for every connection to a namespace (Node's {@code io.use}).
 * Throw {@link ConnectionRefusedException} to refuse the client with a message and data.
 */
@FunctionalInterface
public interface ConnectMiddleware {
    /** Checks a connecting client; returns normally to let it through. */
    void check(Socket socket, Map<String, Object> auth) throws Exception;
}
