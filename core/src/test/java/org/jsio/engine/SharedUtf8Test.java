package org.jsio.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.socketio.SocketIoServer;
import org.junit.jupiter.api.Test;

/**
 * Text packets reach a connection that prefers UTF-8 bytes as bytes encoded once per packet: a
 * broadcast hands every recipient the same array.
 */
class SharedUtf8Test {

    @Test
    void aPacketIsEncodedOnceAndItsBytesAreShared() {
        Packet p = Packet.message("héllo €");
        byte[] first = p.encodedUtf8();
        assertSame(first, p.encodedUtf8());
        assertArrayEquals("4héllo €".getBytes(StandardCharsets.UTF_8), first);
        assertArrayEquals("3".getBytes(StandardCharsets.UTF_8), Packet.of(Packet.Type.PONG, null).encodedUtf8());
    }

    @Test
    void writersSendUtf8OnlyToConnectionsThatPreferIt() throws Exception {
        FakeWebSocket bytes = new FakeWebSocket();
        bytes.utf8 = true;
        FakeWebSocket text = new FakeWebSocket();
        List<Throwable> failures = new ArrayList<>();
        Packet p = Packet.message("ü");
        new WsWriter(bytes, 10, 1000, failures::add, Runnable::run).send(List.of(p));
        new WsWriter(text, 10, 1000, failures::add, Runnable::run).send(List.of(p));
        assertSame(p.encodedUtf8(), bytes.utf8Sends.poll());
        assertEquals("4ü", bytes.next());
        assertEquals("4ü", text.next());
        assertTrue(text.utf8Sends.isEmpty());
        assertTrue(failures.isEmpty(), failures::toString);
    }

    @Test
    void theDefaultUtf8SendDecodesToTheTextSend() {
        List<String> sent = new ArrayList<>();
        WebSocketConnection plain = new WebSocketConnection() {
            @Override
            public void sendText(String t, SendCallback done) {
                sent.add(t);
                done.done(null);
            }

            @Override
            public void sendBinary(byte[] data, SendCallback done) {
                done.done(null);
            }

            @Override
            public void close(int code, String reason) {
            }
        };
        List<Throwable> results = new ArrayList<>();
        plain.sendTextUtf8("4€ x".getBytes(StandardCharsets.UTF_8), results::add);
        assertEquals(List.of("4€ x"), sent);
        assertEquals(1, results.size());
        assertEquals(null, results.get(0));
        assertEquals(false, plain.prefersUtf8());
    }

    @Test
    void aBroadcastHandsEveryRecipientTheSameBytes() throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().build()) {
            List<FakeExchange> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                FakeExchange ws = new FakeExchange("GET", "EIO=4&transport=websocket").header("upgrade", "websocket");
                ws.socket.utf8 = true;
                server.engine().handleRequest(ws);
                assertTrue(((String) ws.socket.next()).startsWith("0{"));
                assertNotNull(ws.listener);
                ws.listener.onText("40");
                assertTrue(((String) ws.socket.next()).startsWith("40{\"sid\""));
                clients.add(ws);
            }
            for (FakeExchange ws : clients) {
                ws.socket.utf8Sends.clear();
            }
            server.emit("news", "héllo");
            byte[] first = null;
            for (FakeExchange ws : clients) {
                assertEquals("42[\"news\",\"héllo\"]", ws.socket.next());
                byte[] sent = ws.socket.utf8Sends.poll(5, TimeUnit.SECONDS);
                assertNotNull(sent);
                if (first == null) {
                    first = sent;
                } else {
                    assertSame(first, sent, "every recipient gets the bytes of the one encoding");
                }
            }
        }
    }
}
