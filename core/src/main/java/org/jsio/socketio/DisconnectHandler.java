package org.jsio.socketio;

import org.jsio.engine.DisconnectReason;

/** Called once when a client leaves a namespace, whatever the reason. */
@FunctionalInterface
public interface DisconnectHandler {
    /** The client is still in its rooms while this runs; emits to it are dropped. */
    void onDisconnect(Socket socket, DisconnectReason reason) throws Exception;
}
