package org.jsio.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Latency samples in microseconds, written by one thread at a time (one client's callbacks) and
 * merged after the run.
 */
final class Latencies {
    private long[] values = new long[256];
    private int size;

    void add(long micros) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = micros;
    }

    int size() {
        return size;
    }

    /** All samples of {@code parts}, sorted. */
    static long[] merged(Iterable<Latencies> parts) {
        List<long[]> arrays = new ArrayList<>();
        for (Latencies l : parts) {
            arrays.add(Arrays.copyOf(l.values, l.size));
        }
        return mergedSorted(arrays);
    }

    /** All the values of {@code parts} (arrays of samples from several processes), sorted. */
    static long[] mergedSorted(Iterable<long[]> parts) {
        int total = 0;
        for (long[] p : parts) {
            total += p.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        Arrays.sort(all);
        return all;
    }

    /** The {@code p}-th percentile (0-100) of sorted samples, or -1 when there are none. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
