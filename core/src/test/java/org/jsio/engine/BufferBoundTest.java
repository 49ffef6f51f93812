package org.jsio.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link EngineOptions#maxBufferedBytes()} on both transports, with a client that takes nothing. */
class BufferBoundTest {
    private static final long BOUND = 10_000;
    private static final Packet KILOBYTE = Packet.message("x".repeat(999)); // 1,000 with its type

    @Test
    void aWebSocketQueueOverTheBoundFailsWithBufferFullAndDropsWhatWasQueued() {
        HeldConnection connection = new HeldConnection(); // the peer stopped reading
        List<Throwable> failures = new ArrayList<>();
        WsWriter writer = new WsWriter(connection, 10_000, BOUND, failures::add, Runnable::run);
        assertTrue(writer.send(List.of(KILOBYTE))); // handed to the connection, never completes
        for (int i = 0; i < 10; i++) {
            assertTrue(writer.send(List.of(KILOBYTE)), "packet " + i + " fits");
            assertTrue(writer.queuedBytes() <= BOUND);
        }
        assertEquals(BOUND, writer.queuedBytes());
        assertFalse(writer.sendIfIdle(List.of(KILOBYTE)), "a volatile packet is dropped, not queued");
        assertEquals(BOUND, writer.queuedBytes());
        assertTrue(failures.isEmpty());
        assertFalse(writer.send(List.of(Packet.message("y"))), "one byte more is over the bound");
        assertEquals(1, failures.size());
        assertInstanceOf(BufferFullException.class, failures.get(0));
        assertEquals(0, writer.queuedBytes(), "what was queued is dropped");
        assertFalse(writer.send(List.of(KILOBYTE)), "nothing more is queued after the failure");
    }

    @Test
    void aPollingClientThatStopsPollingIsClosedWithTransportError() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        EngineServer server = new EngineServer(EngineOptions.builder().maxBufferedBytes(BOUND)
                .pingInterval(Duration.ofSeconds(60)).pingTimeout(Duration.ofSeconds(60)).build(),
                new EngineHandler() {
                    @Override
                    public void onMessage(EngineSocket socket, String text) {
                    }

                    @Override
                    public void onBinary(EngineSocket socket, byte[] data) {
                    }

                    @Override
                    public void onClose(EngineSocket socket, DisconnectReason reason) {
                        events.add(reason.text());
                    }
                });
        try {
            FakeExchange handshake = new FakeExchange("GET", "EIO=4&transport=polling");
            server.handleRequest(handshake);
            String body = handshake.await().text();
            EngineSocket socket = server.session(body.substring(9, body.indexOf('"', 9)));
            for (int i = 0; i < 10; i++) {
                socket.send(KILOBYTE);
                assertTrue(socket.bufferedBytes() <= BOUND);
            }
            assertFalse(socket.sendVolatile(List.of(KILOBYTE)), "no poll waiting: a volatile packet is dropped");
            assertNull(events.poll());
            socket.send(KILOBYTE);
            assertEquals("transport error", events.poll(5, TimeUnit.SECONDS));
            assertEquals(0, server.sessionCount());
            assertEquals(0, socket.bufferedBytes());
        } finally {
            server.close();
        }
    }
}
