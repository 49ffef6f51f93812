package org.jsio.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The broker-independent behaviour of {@link PubSubManager}, on a broker in memory that can be
 * switched off: a bounded outbound queue that never blocks the caller and counts what it drops,
 * and publishing that resumes when the broker is back.
 */
class PubSubManagerTest {

    /** A broker in this JVM: publish fails while {@code down}. */
    static final class MemoryBroker extends PubSubManager {
        final BlockingQueue<byte[]> published = new LinkedBlockingQueue<>();
        volatile boolean down;

        MemoryBroker(int capacity) {
            super("socketio", true, capacity, Duration.ofSeconds(5));
        }

        @Override
        protected void publish(byte[] message) throws Exception {
            if (down) {
                throw new java.io.IOException("broker down");
            }
            published.add(message);
        }

        @Override
        protected void listen(Listener listener) {
            throw new UnsupportedOperationException("write-only");
        }

        @Override
        protected void stopListening() {
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlockingAndPublishingResumes() throws Exception {
        MemoryBroker broker = new MemoryBroker(5);
        broker.down = true;
        try (Emitter emitter = new Emitter(broker)) {
            for (int i = 0; i < 50; i++) {
                emitter.emit("tick", i);
            }
            long dropped = broker.droppedMessages();
            // 5 wait in the queue and at most one is being retried by the publisher thread
            assertTrue(dropped == 44 || dropped == 45, "dropped " + dropped);
            assertFalse(emitter.flush(Duration.ofMillis(50)));
            broker.down = false;
            assertTrue(emitter.flush(Duration.ofSeconds(30)));
            assertEquals(50 - dropped, broker.publishedMessages());
            Map<String, Object> first = PubSubMessages.decode(broker.published.poll(10, TimeUnit.SECONDS));
            assertEquals("tick", first.get("event"));
            assertEquals(0, first.get("data"));
        }
    }

    @Test
    void emitterMessagesCarryNamespaceRoomsAndSkip() throws Exception {
        MemoryBroker broker = new MemoryBroker(100);
        try (Emitter emitter = new Emitter(broker)) {
            emitter.of("/chat").to("r1", "r2").skipSid("s1").emit("hello", "a", "b");
            emitter.send("plain");
            assertTrue(emitter.flush(Duration.ofSeconds(30)));
        }
        Map<String, Object> m = PubSubMessages.decode(broker.published.poll(10, TimeUnit.SECONDS));
        assertEquals("/chat", m.get("namespace"));
        assertEquals(List.of("r1", "r2"), PubSubMessages.roomsOf(m.get("room")).stream().sorted().toList());
        assertEquals("s1", m.get("skip_sid"));
        assertEquals(List.of("a", "b"), PubSubMessages.argsOf(m.get("data")));
        assertEquals(broker.hostId(), m.get("host_id"));
        Map<String, Object> plain = PubSubMessages.decode(broker.published.poll(10, TimeUnit.SECONDS));
        assertEquals("message", plain.get("event"));
        assertEquals("/", plain.get("namespace"));
    }
}
