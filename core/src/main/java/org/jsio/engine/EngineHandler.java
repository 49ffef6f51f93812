package org.jsio.engine;

/**
 * Receives what happens to Engine.IO sessions.
 *
 * <p>Calls are made on the thread that received the data (a container thread) in the order the
 * client sent it, one at a time per session. Implementations must return quickly and must not
 * block: hand real work to an executor. The Socket.IO layer is such an implementation.
 */
public interface EngineHandler {

    /** A session was opened. */
    default void onOpen(EngineSocket socket) {
    }

    /** A text message arrived. */
    void onMessage(EngineSocket socket, String text);

    /** A binary message arrived. */
    void onBinary(EngineSocket socket, byte[] data);

    /** The session ended; no more messages will arrive and sends are dropped. Called once. */
    default void onClose(EngineSocket socket, DisconnectReason reason) {
    }
}
