package org.jsio.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Encodes and decodes Engine.IO v4 packets and HTTP long-polling payloads. */
public final class PacketCodec {

    /** The record separator between packets of a polling payload. */
    public static final char SEPARATOR = '\u001e';

    private PacketCodec() {
    }

    /**
     * Decodes one text packet (a WebSocket text frame, or one record of a payload).
     * A record starting with {@code b} is a base64 binary message.
     */
    public static Packet decode(String encoded) throws EngineException {
        if (encoded.isEmpty()) {
            throw new EngineException("empty packet");
        }
        char first = encoded.charAt(0);
        if (first == 'b') {
            try {
                return Packet.binary(Base64.getDecoder().decode(withoutLineBreaks(encoded.substring(1))));
            } catch (IllegalArgumentException e) {
                throw new EngineException("invalid base64 in binary packet");
            }
        }
        Packet.Type type = Packet.Type.fromCode(first);
        if (type == null) {
            throw new EngineException("unknown packet type");
        }
        String data = encoded.length() > 1 ? encoded.substring(1) : null;
        if (type == Packet.Type.MESSAGE) {
            return Packet.message(data == null ? "" : data);
        }
        return Packet.of(type, data);
    }

    /**
     * Some clients (the Java client among them) wrap base64 at 76 characters with line breaks, as
     * MIME does; the reference server ignores them, and so do we. Anything else stays invalid.
     */
    private static String withoutLineBreaks(String base64) {
        if (base64.indexOf('\n') < 0 && base64.indexOf('\r') < 0) {
            return base64;
        }
        return base64.replace("\r", "").replace("\n", "");
    }

    /** Decodes a polling payload: records separated by {@link #SEPARATOR}. */
    public static List<Packet> decodePayload(String payload) throws EngineException {
        List<Packet> packets = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = payload.indexOf(SEPARATOR, start);
            if (end < 0) {
                packets.add(decode(payload.substring(start)));
                return packets;
            }
            packets.add(decode(payload.substring(start, end)));
            start = end + 1;
        }
    }

    /** Encodes packets as one polling payload, in UTF-8. */
    public static byte[] encodePayload(List<Packet> packets) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < packets.size(); i++) {
            if (i > 0) {
                sb.append(SEPARATOR);
            }
            Packet p = packets.get(i);
            if (p.isBinary()) {
                sb.append('b').append(Base64.getEncoder().encodeToString(p.binary()));
            } else {
                sb.append(p.encodedText());
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
