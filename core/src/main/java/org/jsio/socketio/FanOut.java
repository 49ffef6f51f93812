package org.jsio.socketio;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a broadcast's packets to its recipients, on several threads when there are many: the
 * recipients are cut into one slice per processor, the calling thread takes slices like the
 * executor's threads do, and the call returns when every recipient has its packets queued. So a
 * broadcast keeps its place among the caller's other emits (what it sent before reaches each
 * client first, what it sends after reaches it later), and it never waits for a thread that is
 * busy elsewhere: a slice nobody took is done by the caller itself.
 *
 * <p>Queueing a packet for a client never blocks (writers are asynchronous and bounded), so the
 * slices are short; spreading them over the processors shortens the time from the first
 * recipient to the last, which a single thread makes grow with the number of recipients.
 */
final class FanOut {
    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
    /** Fewer recipients per slice than this are not worth another thread. */
    static final int MIN_SLICE = 256;

    private FanOut() {
    }

    /**
     * Runs {@code action} once for every element of {@code targets} (sockets; any type for tests);
     * returns when all ran. A failing action is logged and the others still run.
     */
    static <T> void forEach(Collection<T> targets, Executor executor, int parallelism, Consumer<T> action) {
        Collection<T> all = targets;
        int slices = Math.min(parallelism, all.size() / MIN_SLICE);
        if (slices > 1) {
            all = new ArrayList<>(targets); // a snapshot to cut into slices
            slices = Math.min(parallelism, all.size() / MIN_SLICE);
        }
        if (slices <= 1) {
            for (T s : all) {
                deliver(s, action);
            }
            return;
        }
        Job<T> job = new Job<>((List<T>) all, slices, action);
        for (int i = 1; i < slices; i++) {
            try {
                executor.execute(job);
            } catch (RejectedExecutionException e) {
                break; // the caller takes the slices itself
            }
        }
        job.run();
        job.awaitDone();
    }

    private static <T> void deliver(T target, Consumer<T> action) {
        try {
            action.accept(target);
        } catch (RuntimeException e) {
            LOG.error("broadcast to {} failed", target instanceof Socket ? ((Socket) target).id() : target, e);
        }
    }

    private static final class Job<T> implements Runnable {
        private final List<T> targets;
        private final int slices;
        private final Consumer<T> action;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final Thread caller = Thread.currentThread();

        Job(List<T> targets, int slices, Consumer<T> action) {
            this.targets = targets;
            this.slices = slices;
            this.action = action;
        }

        @Override
        public void run() {
            int slice;
            while ((slice = next.getAndIncrement()) < slices) {
                try {
                    int n = targets.size();
                    int end = (int) ((long) (slice + 1) * n / slices);
                    for (int i = (int) ((long) slice * n / slices); i < end; i++) {
                        deliver(targets.get(i), action);
                    }
                } finally {
                    if (done.incrementAndGet() == slices) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Waits for the slices other threads took; they are running, so this is short. */
        void awaitDone() {
            boolean interrupted = false;
            while (done.get() < slices) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
