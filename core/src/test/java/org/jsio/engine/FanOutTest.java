package org.jsio.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jsio.engine.spi.WebSocketConnection;
import org.junit.jupiter.api.Test;

/** {@link FanOut}: who writes a fan-out's packets, when, in what order, and with what hint. */
class FanOutTest {

    /** Records every send as "text/more" and completes it at once, or fails it if told to. */
    private static final class RecordingConnection implements WebSocketConnection {
        final List<String> sent = new ArrayList<>();
        boolean fail;

        @Override
        public void sendText(String text, SendCallback done) {
            throw new AssertionError("the engine always gives the hint");
        }

        @Override
        public void sendText(String text, boolean more, SendCallback done) {
            sent.add(text + (more ? "/more" : ""));
            done.done(fail ? new java.io.IOException("broken pipe") : null);
        }

        @Override
        public void sendBinary(byte[] data, SendCallback done) {
            throw new AssertionError("no binary here");
        }

        @Override
        public void close(int code, String reason) {
        }
    }

    /** Holds the tasks it is given until the test runs them. */
    private static final class HeldExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            List<Runnable> now = new ArrayList<>(tasks);
            tasks.clear();
            now.forEach(Runnable::run);
        }
    }

    private static WsWriter writer(RecordingConnection connection, Executor pool, List<Throwable> failures) {
        return new WsWriter(connection, 100, 100_000, failures::add, pool);
    }

    @Test
    void packetsWaitForTheWriterThreadAndThoseThatArriveMeanwhileGoInTheSameRun() {
        HeldExecutor pool = new HeldExecutor();
        List<Throwable> failures = new ArrayList<>();
        RecordingConnection a = new RecordingConnection();
        RecordingConnection b = new RecordingConnection();
        WsWriter wa = writer(a, pool, failures);
        WsWriter wb = writer(b, pool, failures);

        FanOut first = new FanOut();
        wa.send(List.of(Packet.message("1")), first);
        wb.send(List.of(Packet.message("1")), first);
        first.close();
        assertTrue(a.sent.isEmpty() && b.sent.isEmpty(), "nothing is written on the sending thread");
        assertEquals(1, pool.tasks.size(), "both writers are written by one task");

        // a second broadcast while a still waits, then a message to a alone: both join a's run
        FanOut second = new FanOut();
        wa.send(List.of(Packet.message("2")), second);
        second.close();
        assertEquals(1, pool.tasks.size(), "a writer waiting in a fan-out joins no other");
        wa.send(List.of(Packet.message("3")));
        assertTrue(a.sent.isEmpty(), "a direct send waits behind the fan-out");

        pool.runAll();
        assertEquals(List.of("41/more", "42/more", "43"), a.sent, "in order, one run, the last without the hint");
        assertEquals(List.of("41"), b.sent);
        assertTrue(failures.isEmpty());

        // idle again: a direct send is written at once, on this thread
        wa.send(List.of(Packet.message("4")));
        assertEquals("44", a.sent.get(3));
        assertTrue(pool.tasks.isEmpty());
    }

    @Test
    void aLargeFanOutIsSplitAcrossTasksAndAFailingWriterDoesNotStopTheOthers() {
        HeldExecutor pool = new HeldExecutor();
        List<Throwable> failures = new ArrayList<>();
        List<RecordingConnection> connections = new ArrayList<>();
        FanOut fanOut = new FanOut();
        int n = FanOut.CHUNK * 2 + 1;
        for (int i = 0; i < n; i++) {
            RecordingConnection c = new RecordingConnection();
            c.fail = i == 1;
            connections.add(c);
            writer(c, pool, failures).send(List.of(Packet.message("x")), fanOut);
        }
        fanOut.close();
        fanOut.close(); // harmless
        assertEquals(3, pool.tasks.size());
        pool.runAll();
        for (RecordingConnection c : connections) {
            assertEquals(List.of("4x"), c.sent);
        }
        assertEquals(1, failures.size(), "the one broken connection is reported");
    }

    @Test
    void whenTheWriterThreadsAreStoppedTheClosingThreadWrites() {
        Executor stopped = task -> {
            throw new RejectedExecutionException("stopped");
        };
        RecordingConnection c = new RecordingConnection();
        List<Throwable> failures = new ArrayList<>();
        FanOut fanOut = new FanOut();
        writer(c, stopped, failures).send(List.of(Packet.message("x")), fanOut);
        assertTrue(c.sent.isEmpty());
        fanOut.close();
        assertEquals(List.of("4x"), c.sent);
    }

    @Test
    void aVolatilePacketJoinsOnlyAnIdleWriter() {
        HeldExecutor pool = new HeldExecutor();
        List<Throwable> failures = new ArrayList<>();
        RecordingConnection c = new RecordingConnection();
        WsWriter w = writer(c, pool, failures);
        FanOut fanOut = new FanOut();
        assertTrue(w.sendIfIdle(List.of(Packet.message("v1")), fanOut));
        assertFalse(w.sendIfIdle(List.of(Packet.message("v2")), fanOut), "waiting in the fan-out is not idle");
        fanOut.close();
        pool.runAll();
        assertEquals(List.of("4v1"), c.sent);
    }
}
