package org.jsio.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link EndpointConnection}'s closing rules: once, off the caller's thread, on a bounded pool. */
class EndpointConnectionTest {

    /** A connection whose close frame takes until {@code release} (a peer that does not read). */
    private static final class SlowClose extends EndpointConnection {
        private final Runnable onClose;

        SlowClose(Runnable onClose) {
            super(new EngineEndpoint.Relay());
            this.onClose = onClose;
        }

        @Override
        public void sendText(String text, SendCallback done) {
            done.done(null);
        }

        @Override
        public void sendBinary(byte[] data, SendCallback done) {
            done.done(null);
        }

        @Override
        void closeNow(int code, String reason) {
            onClose.run();
        }
    }

    @Test
    void manyConnectionsClosingAtOnceShareABoundedPoolAndEachClosesOnce() throws Exception {
        int cap = EndpointConnection.CLOSER_THREADS;
        int n = cap * 3;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(cap);
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger entered = new AtomicInteger();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Runnable slow = () -> {
            threads.add(Thread.currentThread());
            entered.incrementAndGet();
            busy.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        };
        try {
            for (int i = 0; i < n; i++) {
                SlowClose c = new SlowClose(slow);
                c.close(1000, "");
                c.close(1000, ""); // a second close starts nothing
            }
            assertTrue(busy.await(10, TimeUnit.SECONDS), "the pool's threads all take a close");
            assertEquals(cap, entered.get(), "no more closes run at once than the pool has threads");
        } finally {
            release.countDown();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS), "the waiting closes all run");
        assertEquals(n, entered.get(), "each connection closed once");
        assertTrue(threads.size() <= cap, threads.size() + " threads");
        assertFalse(threads.contains(Thread.currentThread()), "never on the caller's thread");
    }
}
