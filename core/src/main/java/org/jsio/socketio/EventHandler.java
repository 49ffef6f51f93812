package org.jsio.socketio;

/**
 * Handles one event from a client. The return value becomes the acknowledgement when the client
 * asked for one: {@code null} acknowledges with no arguments, an {@link Ack} with several, a
 * {@link java.util.concurrent.CompletionStage} when it completes, anything else with one.
 *
 * <pre>{@code server.on("chat", (socket, args) -> { socket.to("room").emit("chat", args[0]); return "ok"; });}</pre>
 */
@FunctionalInterface
public interface EventHandler {
    /**
     * @param socket the client that sent the event
     * @param args the event's arguments: JSON values ({@code Map}, {@code List}, {@code String},
     *     {@code Integer}/{@code Long}/{@code Double}, {@code Boolean}, {@code null}) and
     *     {@code byte[]} for binary data
     */
    Object handle(Socket socket, Object... args) throws Exception;
}
