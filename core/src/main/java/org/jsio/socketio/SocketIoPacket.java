package org.jsio.socketio;

import java.util.List;

/**
 * A decoded Socket.IO packet: type, namespace, optional ack id and JSON payload (with binary
 * attachments already put back in place of their placeholders).
 */
public final class SocketIoPacket {
    /** The ack id value meaning "no ack requested". */
    public static final long NO_ID = -1;

    private final PacketType type;
    private final String namespace;
    private final long id;
    private final Object data;
    private final int attachments;

    SocketIoPacket(PacketType type, String namespace, long id, Object data, int attachments) {
        this.type = type;
        this.namespace = namespace;
        this.id = id;
        this.data = data;
        this.attachments = attachments;
    }

    /** The packet type. */
    public PacketType type() {
        return type;
    }

    /** The namespace, {@code "/"} by default. */
    public String namespace() {
        return namespace;
    }

    /** The ack id, or {@link #NO_ID}. */
    public long id() {
        return id;
    }

    /** The payload tree, or {@code null} when absent. */
    public Object data() {
        return data;
    }

    /** For binary packets, how many attachments follow the header. */
    public int attachments() {
        return attachments;
    }

    SocketIoPacket withData(Object newData) {
        return new SocketIoPacket(type, namespace, id, newData, 0);
    }

    /** The payload as a list (EVENT and ACK packets). */
    @SuppressWarnings("unchecked")
    List<Object> list() {
        return (List<Object>) data;
    }

    @Override
    public String toString() {
        return type + " " + namespace + (id >= 0 ? " #" + id : "") + " " + data;
    }
}
