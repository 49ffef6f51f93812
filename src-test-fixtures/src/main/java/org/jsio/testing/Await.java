package org.jsio.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that has no signal of its own to wait on (a count in the server's stats,
 * a line in a log, a port that starts listening), by looking at it again every few milliseconds
 * until it holds or a deadline passes. The deadline bounds a hang; it is not a timing requirement.
 */
public final class Await {
    private static final long PAUSE_MILLIS = 20;

    private Await() {
    }

    /**
     * Looks at {@code condition} until it holds or {@code timeout} passes.
     *
     * @return whether it held
     */
    public static boolean holds(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS); // the pause between two looks
        }
        return true;
    }

    /**
     * Like {@link #holds}, failing with {@code failure}'s message (computed at the deadline, so it
     * can show the state then) if the condition never held.
     */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> failure)
            throws InterruptedException {
        if (!holds(condition, timeout)) {
            throw new AssertionError(failure.get());
        }
    }
}
