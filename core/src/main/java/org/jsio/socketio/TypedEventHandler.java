package org.jsio.socketio;

/**
 * An event handler whose first argument is bound to an application type by the server's JSON
 * mapper: {@code sio.on("chat", ChatMessage.class, (socket, msg) -> ...)}. The return value
 * becomes the acknowledgement, as for {@link EventHandler}.
 */
@FunctionalInterface
public interface TypedEventHandler<T> {
    /** Handles the event with its first argument converted to {@code T}. */
    Object handle(Socket socket, T payload) throws Exception;
}
