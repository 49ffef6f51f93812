package org.jsio.internal;

import java.util.function.Function;

/**
 * Values worked out once per key object, for keys that are few and live long, such as a
 * container's connectors or executors: a server behind both an HTTP and an HTTPS connector asks
 * about two of them in turn, and each answer is worked out once, not at every change of key.
 * Keys are compared by identity. A look-up reads one array without locking; at most
 * {@code capacity} keys are held, the oldest making room for a new one. Values may be null.
 * Internal to this library; not an API.
 *
 * @param <K> the keys
 * @param <V> the values
 */
public final class IdentityCache<K, V> {
    private final int capacity;
    /** Key, value, key, value, ...: the oldest first. Replaced, never changed. */
    private volatile Object[] entries = new Object[0];

    /** A cache of at most {@code capacity} keys (at least one). */
    public IdentityCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * The value for {@code key}, worked out by {@code compute} the first time (outside any lock:
     * two threads asking at once may both work it out, and the first to finish is kept).
     */
    @SuppressWarnings("unchecked")
    public V get(K key, Function<? super K, ? extends V> compute) {
        Object[] held = entries;
        int i = indexOf(held, key);
        if (i >= 0) {
            return (V) held[i + 1];
        }
        V value = compute.apply(key);
        synchronized (this) {
            Object[] now = entries;
            i = indexOf(now, key);
            if (i >= 0) {
                return (V) now[i + 1];
            }
            int keep = Math.min(now.length, 2 * (capacity - 1));
            Object[] next = new Object[keep + 2];
            System.arraycopy(now, now.length - keep, next, 0, keep);
            next[keep] = key;
            next[keep + 1] = value;
            entries = next;
        }
        return value;
    }

    /** How many keys are held (for tests). */
    public int size() {
        return entries.length / 2;
    }

    private static int indexOf(Object[] entries, Object key) {
        for (int i = 0; i < entries.length; i += 2) {
            if (entries[i] == key) {
                return i;
            }
        }
        return -1;
    }
}
