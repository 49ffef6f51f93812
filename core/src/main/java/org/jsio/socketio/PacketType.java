package org.jsio.socketio;

/** Socket.IO v5 packet types; the ordinal is the wire digit. */
public enum PacketType {
    CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK;

    private static final PacketType[] VALUES = values();

    static PacketType fromCode(char c) {
        int i = c - '0';
        return i >= 0 && i < VALUES.length ? VALUES[i] : null;
    }
}
