package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * WebSocket frames as a client library would rarely send them, on every WebSocket path (Jetty's
 * WebSocket core, Jetty's Jakarta layer, Tomcat): messages in fragments with control frames
 * between them, multi-byte characters cut across fragments, invalid UTF-8, pings, and
 * permessage-deflate.
 */
class WebSocketFramesTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PLACEHOLDER = "{\"_placeholder\":true,\"num\":0}";
    private static final String DEFLATE_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    private static final Map<String, Fixture> FIXTURES = new LinkedHashMap<>();

    private static final class Fixture implements AutoCloseable {
        final SocketIoServer server = SocketIoServer.builder().build();
        final EmbeddedContainer container;

        Fixture(String kind) throws Exception {
            server.of("/").on("message", (socket, args) -> {
                socket.emit("message-back", args);
                return null;
            });
            container = EmbeddedContainer.create(kind).mount("/socket.io/*", new SocketIoServlet(server)).start(0);
        }

        @Override
        public void close() {
            container.close();
            server.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        for (String kind : EmbeddedContainer.WEBSOCKET_KINDS) {
            FIXTURES.put(kind, new Fixture(kind));
        }
    }

    @AfterAll
    static void stop() {
        FIXTURES.values().forEach(Fixture::close);
        FIXTURES.clear();
    }

    static Stream<String> kinds() {
        return Stream.of(EmbeddedContainer.WEBSOCKET_KINDS);
    }

    /** A WebSocket that completed the Engine.IO handshake and joined the main namespace. */
    private static RawWebSocket connect(String kind, String extraHeaders) throws IOException {
        URI uri = URI.create(FIXTURES.get(kind).container.baseUrl() + "/socket.io/?EIO=4&transport=websocket");
        RawWebSocket ws = RawWebSocket.connect(uri, 0, WAIT, extraHeaders);
        assertEquals(101, ws.status());
        return ws;
    }

    private static void join(RawWebSocket ws, boolean deflate) throws IOException {
        join(ws, deflate, null);
    }

    private static void join(RawWebSocket ws, boolean deflate, Inflater inflater) throws IOException {
        assertTrue(text(ws.readFrame(), inflater).startsWith("0{\"sid\""));
        send(ws, "40", deflate);
        assertTrue(text(ws.readFrame(), inflater).startsWith("40{\"sid\""));
    }

    private static void send(RawWebSocket ws, String text, boolean deflate) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (deflate) {
            ws.sendFrame(true, true, RawWebSocket.TEXT, deflate(bytes));
        } else {
            ws.sendFrame(true, RawWebSocket.TEXT, bytes);
        }
    }

    private static String text(RawWebSocket.Frame frame) {
        return text(frame, null);
    }

    /**
     * The text of a text frame, inflated if it came compressed (with the connection's inflater:
     * the server may refer back to earlier messages).
     */
    private static String text(RawWebSocket.Frame frame, Inflater inflater) {
        assertNotNull(frame, "the connection ended");
        assertEquals(RawWebSocket.TEXT, frame.opcode(), () -> "not a text frame: " + frame.opcode());
        if (frame.rsv1()) {
            assertNotNull(inflater, "a compressed frame on a connection without permessage-deflate");
            return new String(inflate(inflater, frame.payload()), StandardCharsets.UTF_8);
        }
        return new String(frame.payload(), StandardCharsets.UTF_8);
    }

    /**
     * How the server refused a message: "1007" for the close code of invalid text. Tomcat 10.1's
     * Jakarta WebSocket support sometimes drops its own 1007 close frame, or writes it without its frame header, when it
     * closes the connection for invalid UTF-8 (the container's doing: its close reason arrives as
     * the payload of a frame with opcode 3, or nothing arrives); there, a connection that ends
     * without a readable close frame counts as refused too. Any other close code, or a connection
     * left open (the read times out), fails.
     */
    private static String refusal(RawWebSocket ws, String kind) throws IOException {
        List<Integer> seen = new ArrayList<>();
        for (RawWebSocket.Frame f = ws.readFrame(); f != null; f = ws.readFrame()) {
            if (f.opcode() == RawWebSocket.CLOSE) {
                return String.valueOf(f.closeCode());
            }
            seen.add(f.opcode());
        }
        if (EmbeddedContainer.TOMCAT_JAKARTA.equals(kind)) {
            return "1007";
        }
        throw new AssertionError("the connection ended without a close frame; frames before: " + seen);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void fragmentedMessagesAreAssembledAndPingsBetweenThemAnswered(String kind) throws Exception {
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            String message = "[\"message\",\"ü€😀 in fragments\"]";
            byte[] bytes = ("42" + message).getBytes(StandardCharsets.UTF_8);
            int euro = indexOf(bytes, "€".getBytes(StandardCharsets.UTF_8));
            int smiley = indexOf(bytes, "😀".getBytes(StandardCharsets.UTF_8));
            // cut inside the three-byte and the four-byte character
            ws.sendFrame(false, RawWebSocket.TEXT, Arrays.copyOfRange(bytes, 0, euro + 1));
            ws.sendFrame(true, RawWebSocket.PING, "between".getBytes(StandardCharsets.UTF_8));
            ws.sendFrame(false, 0, Arrays.copyOfRange(bytes, euro + 1, smiley + 2));
            ws.sendFrame(true, 0, Arrays.copyOfRange(bytes, smiley + 2, bytes.length));
            RawWebSocket.Frame pong = ws.readFrame();
            assertEquals(RawWebSocket.PONG, pong.opcode());
            assertEquals("between", pong.text());
            assertEquals("42[\"message-back\",\"ü€😀 in fragments\"]", text(ws.readFrame()));

            ws.sendText("451-[\"message\"," + PLACEHOLDER + "]");
            ws.sendFrame(false, RawWebSocket.BINARY, new byte[] {1, 2, 3});
            ws.sendFrame(false, 0, new byte[0]);
            ws.sendFrame(true, 0, new byte[] {4, 5});
            assertEquals("451-[\"message-back\"," + PLACEHOLDER + "]", text(ws.readFrame()));
            RawWebSocket.Frame binary = ws.readFrame();
            assertEquals(RawWebSocket.BINARY, binary.opcode());
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, binary.payload());

            ws.sendFrame(true, RawWebSocket.PING, new byte[0]);
            RawWebSocket.Frame empty = ws.readFrame();
            assertEquals(RawWebSocket.PONG, empty.opcode());
            assertEquals(0, empty.payload().length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void theReplacementCharacterItselfIsValidText(String kind) throws Exception {
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            ws.sendText("42[\"message\",\"\uFFFD and ü\"]");
            assertEquals("42[\"message-back\",\"\uFFFD and ü\"]", text(ws.readFrame()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void invalidUtf8ClosesWith1007AndTheServerGoesOn(String kind) throws Exception {
        byte[] head = "42[\"message\",\"".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"]".getBytes(StandardCharsets.UTF_8);
        List<String> outcomes = new ArrayList<>();
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("truncated sequence", new byte[] {(byte) 0xC3, 0x28});
        bad.put("encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        bad.put("overlong slash", new byte[] {(byte) 0xC0, (byte) 0xAF});
        // large enough to be decoded off the thread that read it, on Jetty's WebSocket core
        bad.put("large message", concat("a".repeat(100_000).getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xC3, 0x28}));
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            try (RawWebSocket ws = connect(kind, "")) {
                join(ws, false);
                ws.sendFrame(true, RawWebSocket.TEXT, concat(head, e.getValue(), tail));
                outcomes.add(e.getKey() + ": " + refusal(ws, kind));
            }
        }
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            // the start of a three-byte character ends one fragment, the next does not continue it
            ws.sendFrame(false, RawWebSocket.TEXT, concat(head, new byte[] {(byte) 0xE2, (byte) 0x82}));
            ws.sendFrame(true, 0, concat("x".getBytes(StandardCharsets.UTF_8), tail));
            outcomes.add("cut across fragments: " + refusal(ws, kind));
        }
        assertEquals(List.of("truncated sequence: 1007", "encoded surrogate: 1007", "overlong slash: 1007",
                "large message: 1007", "cut across fragments: 1007"), outcomes);
        assertTheServerGoesOn(kind);
    }

    /**
     * Frames that break RFC 6455 are answered with a close frame carrying 1002 (protocol error),
     * or 1009 for a message over the size limit, and the server goes on with other clients.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void protocolErrorsCloseWithTheirCodes(String kind) throws Exception {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        // "42" in a text frame without a mask
        bad.put("unmasked frame", new byte[] {(byte) 0x81, 0x02, '4', '2'});
        bad.put("reserved bit without an extension", masked(0x80 | 0x20 | RawWebSocket.TEXT, "42"));
        bad.put("unknown opcode", masked(0x80 | 0x3, "42"));
        bad.put("continuation without a message", masked(0x80, "42"));
        bad.put("fragmented ping", masked(RawWebSocket.PING, "x"));
        List<String> outcomes = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            try (RawWebSocket ws = connect(kind, "")) {
                join(ws, false);
                ws.sendBytes(e.getValue());
                int code = closeCode(ws);
                if (code < 0 && EmbeddedContainer.TOMCAT_JAKARTA.equals(kind)) {
                    code = 1002; // Tomcat's Jakarta support ends the connection without a frame for some
                }
                outcomes.add(e.getKey() + ": " + code);
            }
        }
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            ws.sendFrame(true, RawWebSocket.TEXT, new byte[1_000_001]); // over maxHttpBufferSize
            outcomes.add("message over the limit: " + closeCode(ws));
        }
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            // the limit counts the whole message, not each fragment
            ws.sendFrame(false, RawWebSocket.TEXT, new byte[600_000]);
            ws.sendFrame(true, 0, new byte[600_000]);
            outcomes.add("fragments over the limit: " + closeCode(ws));
        }
        assertEquals(List.of("unmasked frame: 1002", "reserved bit without an extension: 1002",
                "unknown opcode: 1002", "continuation without a message: 1002", "fragmented ping: 1002",
                "message over the limit: 1009", "fragments over the limit: 1009"), outcomes);
        assertTheServerGoesOn(kind);
    }

    /** A client's close frame is answered with the same code, and the server ends the connection. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aCloseFrameIsAnsweredAndTheConnectionEnds(String kind) throws Exception {
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            ws.sendFrame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'});
            RawWebSocket.Frame answer = ws.readFrame();
            assertNotNull(answer, "no close frame came back");
            assertEquals(RawWebSocket.CLOSE, answer.opcode());
            assertEquals(1000, answer.closeCode());
            assertEquals(null, ws.readFrame(), "the server ends the connection after the close handshake");
        }
    }

    /** A new client is served after the refusals. */
    private static void assertTheServerGoesOn(String kind) throws IOException {
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            ws.sendText("42[\"message\",\"still here\"]");
            assertEquals("42[\"message-back\",\"still here\"]", text(ws.readFrame()));
        }
    }

    /** A frame with a mask of zero and the given first byte, for frames a client library would not send. */
    private static byte[] masked(int b0, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) b0;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    /** The code of the server's close frame, skipping other frames; -1 if the connection ends without one. */
    private static int closeCode(RawWebSocket ws) throws IOException {
        for (RawWebSocket.Frame f = ws.readFrame(); f != null; f = ws.readFrame()) {
            if (f.opcode() == RawWebSocket.CLOSE) {
                return f.closeCode();
            }
        }
        return -1;
    }

    /**
     * Messages large enough to be decoded and delivered off the thread that read them (on Jetty's
     * WebSocket core) still reach the handler in order with the small ones around them, text and
     * binary alike.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void largeMessagesKeepTheirPlaceInOrder(String kind) throws Exception {
        try (RawWebSocket ws = connect(kind, "")) {
            join(ws, false);
            String large = "ü".repeat(60_000); // 120,000 bytes of UTF-8
            byte[] attachment = new byte[200_000];
            for (int i = 0; i < attachment.length; i++) {
                attachment[i] = (byte) i;
            }
            ws.sendText("42[\"message\",\"first\"]");
            byte[] largeMessage = ("42[\"message\",\"" + large + "\"]").getBytes(StandardCharsets.UTF_8);
            ws.sendFrame(false, RawWebSocket.TEXT, Arrays.copyOfRange(largeMessage, 0, 70_001));
            ws.sendFrame(true, 0, Arrays.copyOfRange(largeMessage, 70_001, largeMessage.length));
            ws.sendText("451-[\"message\"," + PLACEHOLDER + "]");
            ws.sendFrame(true, RawWebSocket.BINARY, attachment);
            ws.sendText("42[\"message\",\"last\"]");
            assertEquals("42[\"message-back\",\"first\"]", text(ws.readMessage()));
            String back = text(ws.readMessage());
            // compared without printing 120 kB on a failure
            assertTrue(back.equals("42[\"message-back\",\"" + large + "\"]"),
                    () -> "the large message came back as " + back.length() + " characters: "
                            + back.substring(0, Math.min(80, back.length())) + "...");
            assertEquals("451-[\"message-back\"," + PLACEHOLDER + "]", text(ws.readMessage()));
            RawWebSocket.Frame binary = ws.readMessage();
            assertEquals(RawWebSocket.BINARY, binary.opcode());
            assertTrue(Arrays.equals(attachment, binary.payload()),
                    () -> "the attachment came back as " + binary.payload().length + " different bytes");
            assertEquals("42[\"message-back\",\"last\"]", text(ws.readMessage()));
        }
    }

    /**
     * Jetty negotiates permessage-deflate when the client offers it, through its WebSocket core
     * exactly as through its Jakarta layer, and compressed messages go both ways.
     */
    @Test
    void permessageDeflateOnJettyIsTheSameOnBothPaths() throws Exception {
        List<String> answers = new ArrayList<>();
        for (String kind : List.of("jetty", EmbeddedContainer.JETTY_JAKARTA)) {
            Inflater inflater = new Inflater(true);
            try (RawWebSocket ws = connect(kind, DEFLATE_OFFER)) {
                String extensions = ws.responseHeader("Sec-WebSocket-Extensions");
                assertNotNull(extensions, kind + ": no extension accepted");
                assertTrue(extensions.startsWith("permessage-deflate"), kind + ": " + extensions);
                answers.add(extensions);
                join(ws, true, inflater);
                String big = "ü".repeat(2000);
                send(ws, "42[\"message\",\"" + big + "\"]", true);
                RawWebSocket.Frame back = ws.readFrame();
                assertTrue(back.rsv1(), kind + ": the answer is compressed too");
                assertEquals("42[\"message-back\",\"" + big + "\"]", text(back, inflater));
            } finally {
                inflater.end();
            }
        }
        assertEquals(answers.get(1), answers.get(0), "the same negotiation on both paths");
        try (RawWebSocket ws = connect("jetty", "")) {
            assertEquals(null, ws.responseHeader("Sec-WebSocket-Extensions"), "nothing offered, nothing taken");
        }
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /** permessage-deflate of one message: raw deflate, flushed, without the final empty block's tail. */
    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
            } while (n == buffer.length);
            byte[] all = out.toByteArray();
            return Arrays.copyOf(all, all.length - 4);
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(Inflater inflater, byte[] data) {
        try {
            inflater.setInput(concat(data, new byte[] {0, 0, (byte) 0xff, (byte) 0xff}));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!inflater.needsInput() && !inflater.finished()) {
                int n = inflater.inflate(buffer);
                out.write(buffer, 0, n);
                if (n == 0 && inflater.needsInput()) {
                    break;
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new AssertionError("not a deflated message", e);
        }
    }
}
