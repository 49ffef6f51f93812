package org.jsio.engine.spi;

/**
 * An open WebSocket as the engine sees it, implemented by a container adapter.
 *
 * <p>The engine never calls the send methods concurrently: it waits for each send's callback
 * before it starts the next one, so an adapter may map them directly onto the container's
 * asynchronous send.
 */
public interface WebSocketConnection {

    /** Sends one text frame; {@code done} runs once when the frame was written or failed. */
    void sendText(String text, SendCallback done);

    /** Sends one binary frame; {@code done} runs once when the frame was written or failed. */
    void sendBinary(byte[] data, SendCallback done);

    /** Closes the connection with a close frame; safe to call more than once, from any thread. */
    void close(int code, String reason);

    /** Completion of one send. */
    @FunctionalInterface
    interface SendCallback {
        /** Called with {@code null} on success, or the failure. */
        void done(Throwable failure);
    }
}
