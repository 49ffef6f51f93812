package org.jsio.socketio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsio.json.JsonException;
import org.jsio.json.JsonMapper;
import org.jsio.json.JsonTree;

/**
 * Encodes and decodes Socket.IO v5 packets, including binary attachments: on encoding each
 * {@code byte[]} in the payload becomes a {@code {"_placeholder":true,"num":n}} object and an
 * attachment; on decoding the placeholders are replaced by the attachments that followed.
 */
public final class PacketCodec {
    /** Event names a client may not emit. */
    static final Set<String> RESERVED_EVENTS = Set.of(
            "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    private final JsonMapper mapper;
    private final int maxAttachments;

    /** A codec that converts application objects with {@code mapper}. */
    public PacketCodec(JsonMapper mapper, int maxAttachments) {
        this.mapper = mapper;
        this.maxAttachments = maxAttachments;
    }

    /** An encoded packet: the text header and the binary attachments that follow it. */
    public static final class Encoded {
        private final String text;
        private final List<byte[]> attachments;

        Encoded(String text, List<byte[]> attachments) {
            this.text = text;
            this.attachments = attachments;
        }

        /** The text packet (without the Engine.IO {@code 4} prefix). */
        public String text() {
            return text;
        }

        /** The binary attachments, in order. */
        public List<byte[]> attachments() {
            return attachments;
        }
    }

    /**
     * Encodes a packet. For EVENT and ACK packets carrying binary values the type becomes
     * BINARY_EVENT or BINARY_ACK.
     */
    public Encoded encode(PacketType type, String namespace, long id, Object data) {
        List<byte[]> attachments = List.of();
        Object payload = data;
        if ((type == PacketType.EVENT || type == PacketType.ACK) && hasBinary(data, 0)) {
            List<byte[]> found = new ArrayList<>();
            payload = deconstruct(data, found);
            attachments = found;
            type = type == PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
        }
        StringBuilder sb = new StringBuilder(64);
        sb.append((char) ('0' + type.ordinal()));
        if (!attachments.isEmpty()) {
            sb.append(attachments.size()).append('-');
        }
        if (!"/".equals(namespace)) {
            sb.append(namespace).append(',');
        }
        if (id >= 0) {
            sb.append(id);
        }
        if (payload != null) {
            JsonTree.write(payload, mapper, sb);
        }
        return new Encoded(sb.toString(), attachments);
    }

    private static boolean hasBinary(Object value, int depth) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return false; // the usual leaves, answered before any other type test
        }
        if (value instanceof byte[] || value instanceof java.nio.ByteBuffer) {
            return true;
        }
        if (depth > JsonTree.MAX_DEPTH) {
            return false;
        }
        if (value instanceof List && value instanceof java.util.RandomAccess) {
            List<?> list = (List<?>) value;
            for (int i = 0, n = list.size(); i < n; i++) {
                if (hasBinary(list.get(i), depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof Map) {
            for (Object v : ((Map<?, ?>) value).values()) {
                if (hasBinary(v, depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof Iterable) {
            for (Object v : (Iterable<?>) value) {
                if (hasBinary(v, depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof Object[]) {
            for (Object v : (Object[]) value) {
                if (hasBinary(v, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object deconstruct(Object value, List<byte[]> out) {
        if (value instanceof byte[] || value instanceof java.nio.ByteBuffer) {
            byte[] bytes;
            if (value instanceof byte[]) {
                bytes = (byte[]) value;
            } else {
                java.nio.ByteBuffer bb = ((java.nio.ByteBuffer) value).duplicate();
                bytes = new byte[bb.remaining()];
                bb.get(bytes);
            }
            Map<String, Object> placeholder = new LinkedHashMap<>(4);
            placeholder.put("_placeholder", Boolean.TRUE);
            placeholder.put("num", out.size());
            out.add(bytes);
            return placeholder;
        }
        if (value instanceof Map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                copy.put(e.getKey(), deconstruct(e.getValue(), out));
            }
            return copy;
        }
        if (value instanceof Iterable) {
            List<Object> copy = new ArrayList<>();
            for (Object v : (Iterable<?>) value) {
                copy.add(deconstruct(v, out));
            }
            return copy;
        }
        if (value instanceof Object[]) {
            List<Object> copy = new ArrayList<>();
            for (Object v : (Object[]) value) {
                copy.add(deconstruct(v, out));
            }
            return copy;
        }
        return value;
    }

    /**
     * Decodes a text packet. A binary packet comes back with {@link SocketIoPacket#attachments()}
     * above zero; complete it with {@link #reconstruct} once the attachments arrived.
     */
    public SocketIoPacket decode(String text) throws ProtocolException {
        int n = text.length();
        if (n == 0) {
            throw new ProtocolException("empty packet");
        }
        PacketType type = PacketType.fromCode(text.charAt(0));
        if (type == null) {
            throw new ProtocolException("unknown packet type");
        }
        int i = 1;
        int attachments = 0;
        if (type == PacketType.BINARY_EVENT || type == PacketType.BINARY_ACK) {
            int start = i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            if (i == start || i >= n || text.charAt(i) != '-' || i - start > 9) {
                throw new ProtocolException("illegal attachments");
            }
            attachments = Integer.parseInt(text.substring(start, i));
            if (attachments > maxAttachments) {
                throw new ProtocolException("too many attachments");
            }
            i++;
        }
        String namespace = "/";
        if (i < n && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            if (comma < 0) {
                namespace = text.substring(i);
                i = n;
            } else {
                namespace = text.substring(i, comma);
                i = comma + 1;
            }
        }
        long id = SocketIoPacket.NO_ID;
        if (i < n && isDigit(text.charAt(i))) {
            int start = i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            if (i - start > 15) {
                throw new ProtocolException("invalid ack id");
            }
            id = Long.parseLong(text.substring(start, i));
        }
        Object data = null;
        boolean hasData = i < n;
        if (hasData) {
            try {
                data = JsonTree.parse(text, i);
            } catch (JsonException e) {
                throw new ProtocolException("invalid payload");
            }
        }
        if (!validPayload(type, hasData, data)) {
            throw new ProtocolException("invalid payload");
        }
        return new SocketIoPacket(type, namespace, id, data, attachments);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean validPayload(PacketType type, boolean hasData, Object data) {
        switch (type) {
            case CONNECT:
                return !hasData || data instanceof Map;
            case DISCONNECT:
                return !hasData;
            case CONNECT_ERROR:
                return hasData && (data instanceof Map || data instanceof String);
            case EVENT:
            case BINARY_EVENT: {
                if (!(data instanceof List) || ((List<?>) data).isEmpty()) {
                    return false;
                }
                Object name = ((List<?>) data).get(0);
                return name instanceof Number || (name instanceof String && !RESERVED_EVENTS.contains(name));
            }
            case ACK:
            case BINARY_ACK:
                return data instanceof List;
            default:
                return false;
        }
    }

    /** Puts the attachments in place of their placeholders. */
    public SocketIoPacket reconstruct(SocketIoPacket packet, List<byte[]> attachments) throws ProtocolException {
        return packet.withData(replace(packet.data(), attachments));
    }

    private static Object replace(Object value, List<byte[]> attachments) throws ProtocolException {
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            if (Boolean.TRUE.equals(map.get("_placeholder"))) {
                Object num = map.get("num");
                if (!(num instanceof Integer) || (Integer) num < 0 || (Integer) num >= attachments.size()) {
                    throw new ProtocolException("illegal attachments");
                }
                return attachments.get((Integer) num);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) map;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                e.setValue(replace(e.getValue(), attachments));
            }
            return m;
        }
        if (value instanceof List) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) value;
            for (int i = 0; i < list.size(); i++) {
                list.set(i, replace(list.get(i), attachments));
            }
            return list;
        }
        return value;
    }
}
