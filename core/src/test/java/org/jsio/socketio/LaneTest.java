package org.jsio.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client's lane on the server's executor, or on a container's while the server's slots allow. */
class LaneTest {
    private static final ClassLoader LOADER = new ClassLoader(LaneTest.class.getClassLoader()) {
    };
    private static final BooleanSupplier OPEN = () -> false;
    private final ExecutorService own = pool("own", 2);
    private final ExecutorService container = pool("container", 4);

    @AfterEach
    void stop() {
        own.shutdownNow();
        container.shutdownNow();
    }

    private static ExecutorService pool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Test
    void tasksRunInOrderOnTheContainersExecutorWhileASlotIsFree() throws Exception {
        Lane.Slots slots = new Lane.Slots(1, LOADER);
        Lane lane = new Lane(own, slots, 10_000, OPEN);
        List<Integer> order = new ArrayList<>();
        List<String> threads = new ArrayList<>();
        List<ClassLoader> loaders = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        // queued behind a first task, so that the lane never runs dry while they are added (a
        // lane that restarts while its last drain still holds the slot may run on its own executor)
        CountDownLatch release = holdOnContainer(lane);
        for (int i = 0; i < 1000; i++) {
            int k = i;
            lane.execute(() -> {
                order.add(k); // one task at a time: no lock needed
                threads.add(Thread.currentThread().getName());
                loaders.add(Thread.currentThread().getContextClassLoader());
            }, container);
        }
        lane.execute(done::countDown, container);
        release.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, order.get(i));
        }
        assertTrue(threads.stream().allMatch(t -> t.startsWith("container-")), threads.toString());
        // the application's class loader while its handlers run, the container's own after
        assertTrue(loaders.stream().allMatch(l -> l == LOADER));
        awaitIdle(lane, slots);
        assertTrue(container.submit(() -> Thread.currentThread().getContextClassLoader() != LOADER)
                .get(10, TimeUnit.SECONDS));
    }

    @Test
    void withEverySlotTakenALaneRunsOnTheServersExecutor() throws Exception {
        Lane.Slots slots = new Lane.Slots(1, LOADER);
        Lane blocking = new Lane(own, slots, 16, OPEN);
        Lane other = new Lane(own, slots, 16, OPEN);
        CountDownLatch release = holdOnContainer(blocking);
        assertEquals(1, slots.used());

        String ran = threadRunning(other, container);
        assertTrue(ran.startsWith("own-"), ran);

        release.countDown();
        awaitIdle(blocking, slots);
        awaitIdle(other, slots);
    }

    @Test
    void onASmallContainerPoolLanesTakeAtMostHalfItsThreads() throws Exception {
        Lane.Slots slots = new Lane.Slots(16, LOADER); // the container has 4 threads: 2 for lanes
        Lane first = new Lane(own, slots, 16, OPEN);
        Lane second = new Lane(own, slots, 16, OPEN);
        CountDownLatch releaseFirst = holdOnContainer(first);
        CountDownLatch releaseSecond = holdOnContainer(second);
        assertEquals(2, slots.used());

        String ran = threadRunning(new Lane(own, slots, 16, OPEN), container);
        assertTrue(ran.startsWith("own-"), ran);
        // an executor that does not tell its size gets the whole bound
        Executor unsized = container::execute;
        assertTrue(threadRunning(new Lane(own, slots, 16, OPEN), unsized).startsWith("container-"));

        releaseFirst.countDown();
        releaseSecond.countDown();
        awaitIdle(first, slots);
        awaitIdle(second, slots);
    }

    /** An executor that tells its pool's size through {@code getMaxThreads()}, as Tomcat's do. */
    public static final class SizedExecutor implements Executor {
        private final Executor delegate;
        private final int maxThreads;
        private final AtomicInteger asked = new AtomicInteger();

        SizedExecutor(Executor delegate, int maxThreads) {
            this.delegate = delegate;
            this.maxThreads = maxThreads;
        }

        public int getMaxThreads() {
            asked.incrementAndGet();
            return maxThreads;
        }

        @Override
        public void execute(Runnable task) {
            delegate.execute(task);
        }
    }

    @Test
    void twoContainerExecutorsInTurnAreEachSizedOnce() {
        // a Tomcat with an HTTP and an HTTPS connector, each with its own pool
        Lane.Slots slots = new Lane.Slots(16, LOADER);
        SizedExecutor http = new SizedExecutor(container, 10);
        SizedExecutor https = new SizedExecutor(container, 40);
        for (int i = 0; i < 5; i++) {
            assertEquals(5, slots.limitFor(http));
            assertEquals(16, slots.limitFor(https));
        }
        assertEquals(1, http.asked.get());
        assertEquals(1, https.asked.get());
    }

    @Test
    void onceClosedNoLaneStartsOnAContainerAndThoseRunningThereAreAwaited() throws Exception {
        Lane.Slots slots = new Lane.Slots(4, LOADER);
        Lane running = new Lane(own, slots, 16, OPEN);
        CountDownLatch release = holdOnContainer(running);

        slots.close();
        String ran = threadRunning(new Lane(own, slots, 16, OPEN), container);
        assertTrue(ran.startsWith("own-"), ran);
        assertFalse(slots.await(TimeUnit.MILLISECONDS.toNanos(50)), "a handler still runs on the container");
        release.countDown();
        assertTrue(slots.await(TimeUnit.SECONDS.toNanos(10)));
        assertEquals(0, slots.used());
    }

    @Test
    void aContainerExecutorThatRefusesWorkLeavesItToTheServers() throws Exception {
        Lane.Slots slots = new Lane.Slots(4, LOADER);
        Lane lane = new Lane(own, slots, 16, OPEN);
        String ran = threadRunning(lane, r -> {
            throw new RejectedExecutionException("shutting down");
        });
        assertTrue(ran.startsWith("own-"), ran);
        awaitIdle(lane, slots);
    }

    @Test
    void withoutSlotsTheContainersExecutorIsNeverUsed() throws Exception {
        Lane lane = new Lane(own, 16, OPEN);
        String ran = threadRunning(lane, container);
        assertTrue(ran.startsWith("own-"), ran);
    }

    @Test
    void aRefusalOfTheServersExecutorIsAWarningUnlessTheServerCloses() {
        ExecutorService stopped = pool("stopped", 1);
        stopped.shutdown();
        AtomicBoolean closing = new AtomicBoolean();
        Lane lane = new Lane(stopped, 16, closing::get);
        String open = logged(() -> lane.execute(() -> { }));
        assertTrue(open.contains("WARN org.jsio.socketio.Lane"), open);
        assertFalse(lane.busy(), "the refused lane is idle again");
        closing.set(true);
        String closed = logged(() -> lane.execute(() -> { }));
        assertFalse(closed.contains("WARN"), closed);
        assertFalse(lane.busy(), "the refused lane is idle again");
    }

    /** What {@code action} logged (slf4j-simple writes to {@code System.err}). */
    private static String logged(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        System.setErr(new PrintStream(copy, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return copy.toString(StandardCharsets.UTF_8);
    }

    /** Starts a task on {@code lane}, on the container, that runs until the latch returned opens. */
    private CountDownLatch holdOnContainer(Lane lane) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        lane.execute(() -> {
            holding.countDown();
            await(release);
        }, container);
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        return release;
    }

    /** Runs one task on {@code lane}, offering {@code containerExecutor}: the thread that ran it. */
    private static String threadRunning(Lane lane, Executor containerExecutor) throws Exception {
        CompletableFuture<String> ran = new CompletableFuture<>();
        lane.execute(() -> ran.complete(Thread.currentThread().getName()), containerExecutor);
        return ran.get(10, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the lane stopped and gave its slot back. */
    private static void awaitIdle(Lane lane, Lane.Slots slots) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lane.busy() || slots.used() != 0) {
            assertTrue(System.nanoTime() - deadline < 0, "lane busy or slots held: " + slots.used());
            TimeUnit.MILLISECONDS.sleep(5); // the pause between two looks
        }
    }
}
