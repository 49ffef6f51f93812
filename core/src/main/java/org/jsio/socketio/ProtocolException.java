package org.jsio.socketio;

/** A Socket.IO packet that breaks the protocol's rules; the connection is closed. */
final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message, null, false, false);
    }
}
