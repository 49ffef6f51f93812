package org.jsio.socketio;

import java.util.Map;

/**
 * Called when a client connects to a namespace, before it is told that it is connected. Throw
 * {@link ConnectionRefusedException} to refuse it. Events emitted to the socket from here reach
 * the client right after the connection is confirmed.
 */
@FunctionalInterface
public interface ConnectHandler {
    /**
     * @param socket the new client; its {@link Socket#handshake()} holds headers, query, cookies
     *     and remote address
     * @param auth the client's auth payload ({@code auth} option of the JavaScript client), empty
     *     when none was sent
     */
    void onConnect(Socket socket, Map<String, Object> auth) throws Exception;
}
