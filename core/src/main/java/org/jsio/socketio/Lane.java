package org.jsio.socketio;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jsio.internal.IdentityCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's ordered lane on a shared executor: tasks run one at a time, in submission order,
 * never two at once; different lanes run in parallel. Bounded: a client whose backlog is full has
 * its next task refused. Each time the lane starts it may run on a container's executor instead,
 * while the server's {@link Slots} allow.
 */
final class Lane implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    private static final int BATCH = 64;

    private final Executor executor;
    private final Slots slots;
    private final int capacity;
    /** Whether the server closes: work its executor refuses then is dropped without a warning. */
    private final BooleanSupplier closing;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** The one drain task of this lane, handed to the executor each time the lane starts. */
    private final Runnable drainTask = this::drain;
    /** The same, handed to a container's executor. */
    private final Runnable containerDrainTask = this::containerDrain;
    // Guarded by "this".
    private boolean running;
    /** The container's executor last offered for this lane's work, or null. */
    private Executor preferred;
    /** The bound of the container's executor the drain was last handed to ({@link Slots#limitFor}). */
    private int containerLimit;

    Lane(Executor executor, int capacity, BooleanSupplier closing) {
        this(executor, null, capacity, closing);
    }

    /**
     * A lane whose work may run on a container's executor offered with {@link #execute(Runnable,
     * Executor)}, while one of {@code slots} is free; otherwise, and without slots, on
     * {@code executor}. Once {@code closing} is true, a refusal of {@code executor} is expected.
     */
    Lane(Executor executor, Slots slots, int capacity, BooleanSupplier closing) {
        this.executor = executor;
        this.slots = slots;
        this.capacity = capacity;
        this.closing = closing;
    }

    @Override
    public void execute(Runnable task) {
        execute(task, null);
    }

    /**
     * Queues {@code task}; if the lane is idle, starts it on {@code containerExecutor} when that
     * is given (and the lane has slots), else on the lane's executor.
     */
    void execute(Runnable task, Executor containerExecutor) {
        boolean start;
        synchronized (this) {
            if (tasks.size() >= capacity) {
                throw new RejectedExecutionException("client lane full (" + capacity + " tasks)");
            }
            tasks.add(task);
            if (containerExecutor != null) {
                preferred = containerExecutor;
            }
            start = !running;
            running = true;
        }
        if (start) {
            submit();
        }
    }

    /** Hands the drain to an executor; the lane is running and no drain is. */
    private void submit() {
        Executor container;
        synchronized (this) {
            container = slots == null || slots.closed ? null : preferred;
        }
        int limit = container == null ? 0 : slots.limitFor(container);
        if (limit > 0) {
            containerLimit = limit;
            try {
                container.execute(containerDrainTask);
                return;
            } catch (RejectedExecutionException e) {
                LOG.debug("container executor refused a client's handlers; they run on the server's: {}",
                        e.toString());
                synchronized (this) {
                    if (preferred == container) {
                        preferred = null;
                    }
                }
            }
        }
        submitOwn();
    }

    private void submitOwn() {
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException e) {
            int dropped;
            synchronized (this) {
                dropped = tasks.size();
                tasks.clear();
                running = false;
            }
            if (closing.getAsBoolean()) {
                // a packet read as the server closed: its executor is stopping
                LOG.debug("server closed; dropped {} pending task(s) of a client", dropped);
            } else {
                LOG.warn("handler executor refused work; dropped a client's pending tasks", e);
            }
        }
    }

    /**
     * On a container's thread: drains the lane if a slot is free; if as many lanes as allowed
     * already run on containers' threads (or as many as that container's pool allows, see
     * {@link Slots#limitFor}), moves it to the lane's own executor. (A lane restarted
     * the moment it ran dry may find its own last drain still holding the slot, and run on its
     * own executor that time.)
     */
    private void containerDrain() {
        if (!slots.tryAcquire(containerLimit)) {
            submitOwn();
            return;
        }
        // The application's handlers see the class loader they see on the server's own threads.
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(slots.loader);
        boolean more;
        try {
            more = runBatch();
        } finally {
            thread.setContextClassLoader(before);
            slots.release();
        }
        if (more) {
            submit();
        }
    }

    /** Whether tasks are waiting or running (for tests and metrics). */
    synchronized boolean busy() {
        return running;
    }

    private void drain() {
        if (runBatch()) {
            submit();
        }
    }

    /**
     * Runs the lane's tasks until it is empty (false) or {@link #BATCH} ran (true: the lane is
     * still running and must be handed to an executor again, to give other lanes a turn).
     */
    private boolean runBatch() {
        for (int i = 0; i < BATCH; i++) {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
                if (task == null) {
                    running = false;
                    return false;
                }
            }
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("unhandled error in a client task", t);
            }
        }
        return true;
    }

    /**
     * How many lanes may run on containers' threads at once: handlers that block then hold at
     * most that many of the container's threads, which its own work (reading, other requests)
     * also needs. A lane that finds none free runs on the server's executor. The bound is lower
     * for a container whose pool is small: at most half its threads ({@link #limitFor}).
     */
    static final class Slots {
        private final int max;
        private final ClassLoader loader;
        private final AtomicInteger used = new AtomicInteger();
        private volatile boolean closed;
        /** The bound for each container executor asked about (one per connector: few). */
        private final IdentityCache<Executor, Integer> limits = new IdentityCache<>(8);

        /**
         * @param loader the context class loader handlers run with on a container's thread (the
         *     application's: the one the server was built with)
         */
        Slots(int max, ClassLoader loader) {
            this.max = max;
            this.loader = loader;
        }

        /**
         * How many lanes may run on {@code container}'s threads at once: the bound, or half the
         * container's maximum pool size if that is less, so that blocking handlers leave the
         * container at least half its threads. The pool's size is read once per executor, from
         * {@link ThreadPoolExecutor#getMaximumPoolSize()}, or from a public
         * {@code getMaximumPoolSize()} or {@code getMaxThreads()} of the executor (Tomcat's
         * executors have them); an executor that tells neither gets the bound.
         */
        int limitFor(Executor container) {
            return limits.get(container, c -> {
                int threads = maximumThreads(c);
                return threads < 0 ? max : Math.min(max, threads / 2);
            });
        }

        private static int maximumThreads(Executor executor) {
            if (executor instanceof ThreadPoolExecutor pool) {
                return pool.getMaximumPoolSize();
            }
            for (String name : new String[] {"getMaximumPoolSize", "getMaxThreads"}) {
                try {
                    Method m = executor.getClass().getMethod(name);
                    if (m.getReturnType() == int.class) {
                        return (int) m.invoke(executor);
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not this one
                }
            }
            return -1;
        }

        /** Takes a slot if fewer than {@code limit} (at most the bound) are taken. */
        boolean tryAcquire(int limit) {
            while (!closed) {
                int u = used.get();
                if (u >= limit) {
                    return false;
                }
                if (used.compareAndSet(u, u + 1)) {
                    return true;
                }
            }
            return false;
        }

        void release() {
            if (used.decrementAndGet() == 0 && closed) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        /** From now on no lane starts on a container's thread. */
        void close() {
            closed = true;
        }

        /**
         * After {@link #close}: waits up to {@code timeoutNanos} for the lanes that run on
         * containers' threads to end, so that none of the application's code runs there once the
         * server is closed (a container checks that when it undeploys the application). Returns
         * whether they all ended.
         */
        boolean await(long timeoutNanos) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            synchronized (this) {
                while (used.get() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            }
            return true;
        }

        /** Lanes running on a container's thread now (for tests and metrics). */
        int used() {
            return used.get();
        }
    }
}
