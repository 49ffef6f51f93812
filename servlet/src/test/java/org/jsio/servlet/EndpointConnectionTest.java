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

    /**
     * Stopping the closers (as a servlet's destroy does) waits for the close under way, and a
     * close after the stop still goes off the caller's thread, on threads made anew.
     */
    @Test
    void stoppingWaitsForTheCloseUnderWayAndALaterCloseStartsAfresh() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        new SlowClose(() -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.incrementAndGet();
        }).close(1000, "");
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the close started");

        boolean[] stopped = new boolean[1];
        Thread stopper = new Thread(() -> stopped[0] = EndpointConnection.stopClosers(), "stopper");
        stopper.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stopper.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(stopper.isAlive() && System.nanoTime() < deadline, "the stop waits for the close under way");
            Thread.onSpinWait();
        }
        assertEquals(0, finished.get());
        release.countDown();
        stopper.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(stopper.isAlive());
        assertTrue(stopped[0], "every close finished in time");
        assertEquals(1, finished.get(), "the close under way finished before the stop returned");

        Thread[] closer = new Thread[1];
        CountDownLatch later = new CountDownLatch(1);
        new SlowClose(() -> {
            closer[0] = Thread.currentThread();
            later.countDown();
        }).close(1000, "");
        assertTrue(later.await(10, TimeUnit.SECONDS), "a close after the stop runs");
        assertFalse(closer[0] == Thread.currentThread(), "never on the caller's thread");
        assertEquals("socketio-ws-close", closer[0].getName());
        assertTrue(EndpointConnection.stopClosers());
        closer[0].join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(closer[0].isAlive(), "no closer thread is left");
    }

    /** A close that outlasts the stop's wait is interrupted, and the stop says so. */
    @Test
    void aCloseThatDoesNotFinishIsInterruptedWhenTheStopGivesUp() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        new SlowClose(() -> {
            entered.countDown();
            try {
                never.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        }).close(1000, "");
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the close started");
        assertFalse(EndpointConnection.stopClosers(), "the close did not finish in time");
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the close was interrupted");
    }
}
