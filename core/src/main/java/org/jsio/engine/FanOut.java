package org.jsio.engine;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sends of one packet to many sessions, written off the sending thread: a WebSocket session
 * with nothing being written keeps the packet queued and joins this fan-out instead of writing
 * it; {@link #close()} hands the sessions that joined to their server's writer threads (one per
 * core, which run no application code), which write each one's queue. A session still waiting in
 * a fan-out when the next packet comes takes that one too, and writes both at once: a burst of
 * broadcasts costs each client fewer writes, and the sender does not wait for any of them. Polling sessions, and WebSocket sessions that are
 * writing already, are served as by {@link EngineSocket#send(java.util.List)}.
 *
 * <p>One thread creates it, sends through it and closes it; it must be closed, or the sessions
 * that joined stay silent. Closing more than once is harmless.
 */
public final class FanOut implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
    /** Most sessions written by one task. */
    static final int CHUNK = 128;
    private static final WsWriter[] NONE = new WsWriter[0];

    private Executor executor;
    private WsWriter[] writers = NONE;
    private int size;

    /** An empty fan-out. */
    public FanOut() {
        // sessions join as packets are sent through it
    }

    /** A writer that now waits for this fan-out to write its queue on {@code pool}. */
    void join(WsWriter writer, Executor pool) {
        if (pool != executor) {
            close(); // sessions of another server: hand over those of the last one
            executor = pool;
        }
        if (size == writers.length) {
            writers = Arrays.copyOf(writers, Math.max(16, size * 2));
        }
        writers[size++] = writer;
    }

    /**
     * Hands the writes of the sessions that joined to the writer threads, in tasks of at most
     * {@value #CHUNK} sessions, so that a large fan-out is written by several threads at once.
     */
    @Override
    public void close() {
        if (size == 0) {
            return;
        }
        WsWriter[] joined = writers;
        int count = size;
        writers = NONE;
        size = 0;
        for (int from = 0; from < count; from += CHUNK) {
            int start = from;
            int end = Math.min(count, from + CHUNK);
            Runnable task = () -> {
                for (int i = start; i < end; i++) {
                    try {
                        joined[i].pump();
                    } catch (RuntimeException e) { // one session's failure must not silence the others
                        LOG.error("a fan-out write failed", e);
                    }
                }
            };
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) { // the server is closing: write them here
                task.run();
            }
        }
    }
}
