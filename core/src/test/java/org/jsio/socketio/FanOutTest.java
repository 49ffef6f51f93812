package org.jsio.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class FanOutTest {
    private static List<Integer> numbers(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void everyTargetOnceAndAllDoneBeforeItReturns() {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int n : new int[] {0, 1, 255, 512, 1000, 4099}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Set<String> threads = ConcurrentHashMap.newKeySet();
                FanOut.forEach(numbers(n), pool, 4, i -> {
                    seen.incrementAndGet(i);
                    threads.add(Thread.currentThread().getName());
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, seen.get(i), "target " + i + " of " + n);
                }
                if (n < 2 * FanOut.MIN_SLICE) {
                    assertEquals(n == 0 ? Set.of() : Set.of(Thread.currentThread().getName()), threads,
                            "a small broadcast stays on the caller");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBusyOrRefusingExecutorLeavesTheWorkToTheCaller() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            single.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            AtomicIntegerArray seen = new AtomicIntegerArray(2000);
            // the executor's only thread is blocked: the caller must not wait for it
            FanOut.forEach(numbers(2000), single, 4, seen::incrementAndGet);
            for (int i = 0; i < 2000; i++) {
                assertEquals(1, seen.get(i));
            }
            AtomicIntegerArray again = new AtomicIntegerArray(2000);
            FanOut.forEach(numbers(2000), r -> {
                throw new RejectedExecutionException("full");
            }, 4, again::incrementAndGet);
            for (int i = 0; i < 2000; i++) {
                assertEquals(1, again.get(i));
            }
        } finally {
            release.countDown();
            single.shutdown();
            assertTrue(single.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFailingTargetDoesNotStopTheOthers() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            AtomicIntegerArray seen = new AtomicIntegerArray(1000);
            FanOut.forEach(numbers(1000), pool, 2, i -> {
                seen.incrementAndGet(i);
                if (i % 100 == 7) {
                    throw new IllegalStateException("target " + i);
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, seen.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
