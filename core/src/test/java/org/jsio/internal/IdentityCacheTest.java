package org.jsio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityCacheTest {
    private final List<Object> computed = new ArrayList<>();

    private String compute(Object key) {
        computed.add(key);
        return "value of " + key;
    }

    @Test
    void keysAskedInTurnAreEachWorkedOutOnce() {
        IdentityCache<Object, String> cache = new IdentityCache<>(8);
        Object http = new Object();
        Object https = new Object();
        for (int i = 0; i < 10; i++) {
            assertEquals("value of " + http, cache.get(http, this::compute));
            assertEquals("value of " + https, cache.get(https, this::compute));
        }
        assertEquals(List.of(http, https), computed);
        assertEquals(2, cache.size());
    }

    @Test
    void keysAreComparedByIdentityNotEquality() {
        IdentityCache<String, String> cache = new IdentityCache<>(8);
        String a = new String("connector");
        String b = new String("connector");
        cache.get(a, this::compute);
        cache.get(b, this::compute);
        assertEquals(2, computed.size());
        assertEquals(2, cache.size());
    }

    @Test
    void aNullValueIsKeptLikeAnyOther() {
        IdentityCache<Object, String> cache = new IdentityCache<>(2);
        Object key = new Object();
        int[] calls = new int[1];
        for (int i = 0; i < 3; i++) {
            assertNull(cache.get(key, k -> {
                calls[0]++;
                return null;
            }));
        }
        assertEquals(1, calls[0]);
    }

    @Test
    void atCapacityTheOldestKeyMakesRoom() {
        IdentityCache<Object, String> cache = new IdentityCache<>(2);
        Object first = new Object();
        Object second = new Object();
        Object third = new Object();
        cache.get(first, this::compute);
        cache.get(second, this::compute);
        cache.get(third, this::compute);
        assertEquals(2, cache.size());
        cache.get(second, this::compute); // still held
        cache.get(third, this::compute);
        assertEquals(List.of(first, second, third), computed);
        cache.get(first, this::compute); // was dropped: worked out again, and drops second
        assertEquals(List.of(first, second, third, first), computed);
        cache.get(third, this::compute);
        assertEquals(4, computed.size());
        assertEquals(2, cache.size());
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IdentityCache<>(0));
    }
}
