package org.jsio.socketio;

/** A Socket.IO packet that breaks the protocol's rules; the server closes such a connection. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message for logs (never sent to a client). */
    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
