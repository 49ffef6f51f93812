package org.jsio.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketCodecTest {

    @Test
    void decodesPayloadWithTextAndBinary() throws EngineException {
        List<Packet> packets = PacketCodec.decodePayload("4hello\u001ebAQIDBA==\u001e3\u001e4");
        assertEquals(4, packets.size());
        assertEquals("hello", packets.get(0).text());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, packets.get(1).binary());
        assertEquals(Packet.Type.PONG, packets.get(2).type());
        assertEquals("", packets.get(3).text());
    }

    @Test
    void encodesPayloadInUtf8() {
        byte[] out = PacketCodec.encodePayload(List.of(Packet.message("h\u00e9\u20ac\ud83d\ude00"),
                Packet.binary(new byte[] {1, 2, 3, 4}), Packet.PING));
        assertEquals("4h\u00e9\u20ac\ud83d\ude00\u001ebAQIDBA==\u001e2", new String(out, StandardCharsets.UTF_8));
        // 1 + 1 + 2 + 3 + 4 multi-byte characters, separators, base64
        assertEquals(11 + 1 + 9 + 1 + 1, out.length);
    }

    @Test
    void acceptsBase64WrappedWithLineBreaks() throws EngineException {
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        String mime = java.util.Base64.getMimeEncoder().encodeToString(data) + "\n";
        assertTrue(mime.contains("\r\n"));
        assertArrayEquals(data, PacketCodec.decode("b" + mime).binary());
        assertArrayEquals(new byte[] {0, 0, 0}, PacketCodec.decode("bAAAA\n").binary());
    }

    @Test
    void refusesMalformedPackets() {
        assertThrows(EngineException.class, () -> PacketCodec.decode(""));
        assertThrows(EngineException.class, () -> PacketCodec.decode("abc"));
        assertThrows(EngineException.class, () -> PacketCodec.decode("9"));
        assertThrows(EngineException.class, () -> PacketCodec.decode("b!!notbase64"));
        assertThrows(EngineException.class, () -> PacketCodec.decodePayload("4a\u001e\u001e4b"));
    }

    @Test
    void packetsCacheTheirEncoding() {
        Packet p = Packet.message("x");
        assertTrue(p.encodedText() == p.encodedText());
        assertEquals("4x", p.encodedText());
    }
}
