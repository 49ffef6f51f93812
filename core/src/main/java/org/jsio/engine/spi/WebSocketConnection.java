package org.jsio.engine.spi;

import java.util.concurrent.Executor;

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

    /**
     * Whether this connection prefers text as UTF-8 bytes ({@link #sendTextUtf8}) to a
     * {@code String} ({@link #sendText}): a container that writes bytes anyway then gets a text
     * packet encoded once and shared by all its recipients instead of encoding it per send. The
     * engine asks once per connection. False by default.
     */
    default boolean prefersUtf8() {
        return false;
    }

    /**
     * Sends one text frame given as its UTF-8 bytes; {@code done} runs once when the frame was
     * written or failed. The array is shared with other connections: the adapter must neither
     * change it nor keep it after {@code done}. By default it is decoded and passed to
     * {@link #sendText}.
     */
    default void sendTextUtf8(byte[] utf8, SendCallback done) {
        sendText(new String(utf8, java.nio.charset.StandardCharsets.UTF_8), done);
    }

    /** Sends one binary frame; {@code done} runs once when the frame was written or failed. */
    void sendBinary(byte[] data, SendCallback done);

    /**
     * {@link #sendText(String, SendCallback)} with a hint: {@code more} is true when the engine
     * has another frame to send as soon as this one completes. A connection that can write
     * several frames at once may then hold this one back and complete {@code done} at once; it
     * must write all it held back with the next frame sent with {@code more} false, which always
     * comes unless the connection is closed first. By default the hint is ignored.
     */
    default void sendText(String text, boolean more, SendCallback done) {
        sendText(text, done);
    }

    /** {@link #sendTextUtf8(byte[], SendCallback)} with the hint of {@link #sendText(String, boolean, SendCallback)}. */
    default void sendTextUtf8(byte[] utf8, boolean more, SendCallback done) {
        sendTextUtf8(utf8, done);
    }

    /** {@link #sendBinary(byte[], SendCallback)} with the hint of {@link #sendText(String, boolean, SendCallback)}. */
    default void sendBinary(byte[] data, boolean more, SendCallback done) {
        sendBinary(data, done);
    }

    /** Closes the connection with a close frame; safe to call more than once, from any thread. */
    void close(int code, String reason);

    /**
     * The container's own executor, when the application work that this connection causes is best run
     * on the container's threads rather than handed to another pool: the thread that read it
     * then often runs it too, with no hand-off in between. {@code null} (the default): none.
     * The server runs only a bounded number of handlers on it at a time (see
     * {@code SocketIoServer.Builder#executor}).
     */
    default Executor executor() {
        return null;
    }

    /** Completion of one send. */
    @FunctionalInterface
    interface SendCallback {
        /** Called with {@code null} on success, or the failure. */
        void done(Throwable failure);
    }
}
