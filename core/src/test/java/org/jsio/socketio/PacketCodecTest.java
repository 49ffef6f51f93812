package org.jsio.socketio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.jsio.json.GsonJsonMapper;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
    private final PacketCodec codec = new PacketCodec(new GsonJsonMapper(), 10);

    @Test
    void encodesLikeTheReferenceParser() {
        assertEquals("0", codec.encode(PacketType.CONNECT, "/", -1, null).text());
        assertEquals("0/admin,{\"sid\":\"x\"}", codec.encode(PacketType.CONNECT, "/admin", -1, Map.of("sid", "x")).text());
        assertEquals("2[\"foo\"]", codec.encode(PacketType.EVENT, "/", -1, List.of("foo")).text());
        assertEquals("212[\"foo\"]", codec.encode(PacketType.EVENT, "/", 12, List.of("foo")).text());
        assertEquals("3/admin,13[\"bar\"]", codec.encode(PacketType.ACK, "/admin", 13, List.of("bar")).text());
        assertEquals("1/admin,", codec.encode(PacketType.DISCONNECT, "/admin", -1, null).text());
        assertEquals("4/random,{\"message\":\"Invalid namespace\"}",
                codec.encode(PacketType.CONNECT_ERROR, "/random", -1, Map.of("message", "Invalid namespace")).text());
    }

    @Test
    void binaryBecomesPlaceholdersAndAttachments() {
        byte[] a = {1, 2};
        byte[] b = {3};
        PacketCodec.Encoded e = codec.encode(PacketType.EVENT, "/", -1, List.of("baz", Map.of("k", List.of(a)), b));
        assertEquals("52-[\"baz\",{\"k\":[{\"_placeholder\":true,\"num\":0}]},{\"_placeholder\":true,\"num\":1}]", e.text());
        assertEquals(2, e.attachments().size());
        assertArrayEquals(a, e.attachments().get(0));
        PacketCodec.Encoded ack = codec.encode(PacketType.ACK, "/", 789, List.of(a, b));
        assertEquals("62-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", ack.text());
    }

    @Test
    void decodesAllForms() throws ProtocolException {
        SocketIoPacket p = codec.decode("0/custom");
        assertEquals(PacketType.CONNECT, p.type());
        assertEquals("/custom", p.namespace());
        p = codec.decode("0{\"token\":\"123\"}");
        assertEquals(Map.of("token", "123"), p.data());
        p = codec.decode("2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
        assertEquals(PacketType.EVENT, p.type());
        assertEquals(456, p.id());
        p = codec.decode("2/custom,456[\"x\"]");
        assertEquals("/custom", p.namespace());
        assertEquals(456, p.id());
        assertEquals(List.of("x"), p.data());
        p = codec.decode("61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]");
        assertEquals(PacketType.BINARY_ACK, p.type());
        assertEquals(1, p.attachments());
        assertEquals(15, p.id());
        p = codec.reconstruct(p, List.of(new byte[] {9}));
        assertArrayEquals(new byte[] {9}, (byte[]) p.list().get(1));
        assertEquals(PacketType.DISCONNECT, codec.decode("1/admin,").type());
    }

    @Test
    void refusesInvalidPackets() {
        for (String bad : new String[] {"", "abc", "7", "2{}", "2abc[\"x\"]", "2[]", "2[\"connect\"]",
                "2[\"disconnecting\"]", "2[null]", "3{}", "1{}", "0[]", "0\"x\"", "5-[\"x\"]", "5x-[\"x\"]",
                "511-[\"x\"]", "2[\"x\"]trailing", "29999999999999999[\"x\"]"}) {
            assertThrows(ProtocolException.class, () -> codec.decode(bad), bad);
        }
    }

    @Test
    void refusesPlaceholdersPointingNowhere() throws ProtocolException {
        SocketIoPacket p = codec.decode("51-[\"x\",{\"_placeholder\":true,\"num\":1}]");
        assertThrows(ProtocolException.class, () -> codec.reconstruct(p, List.of(new byte[] {1})));
        SocketIoPacket q = codec.decode("51-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]");
        assertThrows(ProtocolException.class, () -> codec.reconstruct(q, List.of(new byte[] {1})));
    }
}
