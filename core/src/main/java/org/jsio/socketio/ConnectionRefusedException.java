package org.jsio.socketio;

/**
 * Thrown by a connect handler to refuse a client. The client receives a CONNECT_ERROR packet
 * with the message and, when given, the data ({@code err.message} and {@code err.data} in the
 * JavaScript client).
 */
public class ConnectionRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object data;

    /** Refuses with the default message "Connection rejected by server". */
    public ConnectionRefusedException() {
        this("Connection rejected by server");
    }

    /** Refuses with a message for the client. */
    public ConnectionRefusedException(String message) {
        this(message, null);
    }

    /**
     * Refuses with a message and data for the client; the data must be JSON-serialisable (a map,
     * a list, a string, a number, or an object the JSON mapper can convert).
     */
    public ConnectionRefusedException(String message, Object data) {
        super(message, null, false, false);
        this.data = data;
    }

    /** The data sent to the client, or {@code null}. */
    public Object data() {
        return data;
    }
}
