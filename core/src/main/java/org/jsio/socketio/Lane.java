package org.jsio.socketio;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's ordered lane on a shared executor: tasks run one at a time, in submission order,
 * never two at once; different lanes run in parallel. Bounded: a client whose backlog is full has
 * its next task refused.
 */
final class Lane implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    private static final int BATCH = 64;

    private final Executor executor;
    private final int capacity;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** The one drain task of this lane, handed to the executor each time the lane starts. */
    private final Runnable drainTask = this::drain;
    private boolean running;

    Lane(Executor executor, int capacity) {
        this.executor = executor;
        this.capacity = capacity;
    }

    @Override
    public void execute(Runnable task) {
        boolean start;
        synchronized (this) {
            if (tasks.size() >= capacity) {
                throw new RejectedExecutionException("client lane full (" + capacity + " tasks)");
            }
            tasks.add(task);
            start = !running;
            running = true;
        }
        if (start) {
            submit();
        }
    }

    private void submit() {
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                tasks.clear();
                running = false;
            }
            LOG.warn("handler executor refused work; dropped a client's pending tasks", e);
        }
    }

    /** Whether tasks are waiting or running (for tests and metrics). */
    synchronized boolean busy() {
        return running;
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
                if (task == null) {
                    running = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("unhandled error in a client task", t);
            }
        }
        // Give other lanes a turn on the executor.
        submit();
    }
}
