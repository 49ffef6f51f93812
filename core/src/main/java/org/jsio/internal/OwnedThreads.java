package org.jsio.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A factory of named daemon platform threads that remembers them, so that their owner can wait
 * at close until they have really ended, not only until their pool says it is terminated (a web
 * container checking for threads left behind by an undeployed application sees the difference).
 * Internal to this library; not an API.
 */
public final class OwnedThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    /** Threads named {@code prefix + n}, n counting from 1. */
    public OwnedThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread t = new Worker(task, prefix + count.incrementAndGet());
        t.setDaemon(true);
        threads.removeIf(old -> old.getState() == Thread.State.TERMINATED);
        threads.add(t);
        return t;
    }

    /**
     * A thread made by {@link OwnedThreads}, with one slot its tasks may use for per-thread state
     * that is read and written on every task (cheaper than a {@link ThreadLocal} look-up).
     */
    public static final class Worker extends Thread {
        /** Free for the tasks' use; only ever touched by this thread itself. */
        public Object slot;

        Worker(Runnable task, String name) {
            super(task, name);
        }
    }

    /**
     * Shuts {@code pool} down, interrupting its tasks if they have not ended within {@code grace},
     * then waits up to {@code grace} more for each of its threads to end. Called from one of the
     * pool's own threads, it does not wait for that thread.
     */
    public void shutdownAndJoin(ExecutorService pool, long grace, TimeUnit unit) {
        pool.shutdown();
        boolean own = threads.contains(Thread.currentThread());
        try {
            if (own || !pool.awaitTermination(grace, unit)) {
                pool.shutdownNow();
            }
            long deadline = System.nanoTime() + unit.toNanos(grace);
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (t != Thread.currentThread() && left > 0) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
