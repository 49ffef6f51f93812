package org.jsio.engine;

/** Why a session or a namespace connection ended; the text is python-socketio's reason string. */
public enum DisconnectReason {
    /** The client asked to disconnect. */
    CLIENT_DISCONNECT("client disconnect"),
    /** The application disconnected the client. */
    SERVER_DISCONNECT("server disconnect"),
    /** The client did not answer a ping in time. */
    PING_TIMEOUT("ping timeout"),
    /** The connection was closed under the session (client went away, WebSocket closed). */
    TRANSPORT_CLOSE("transport close"),
    /** The connection failed, or the client broke the protocol's rules for a transport. */
    TRANSPORT_ERROR("transport error"),
    /** The client sent data that could not be decoded. */
    PARSE_ERROR("parse error"),
    /** The server is shutting down. */
    SERVER_SHUTDOWN("server shutting down");

    private final String text;

    DisconnectReason(String text) {
        this.text = text;
    }

    /** The reason as python-socketio and the Node.js server name it, e.g. {@code "ping timeout"}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
