package dev.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DedupCacheTest {

    @Test
    void duplicatesAreSeenOnce() {
        DedupCache cache = new DedupCache();
        assertTrue(cache.firstSeen("a"));
        assertFalse(cache.firstSeen("a"));
        assertTrue(cache.contains("a"));
    }

    /** Bad input: more ids than the bound (seed 001's rule: over 10 000, keep the newest 5 000). */
    @Test
    void overTheLimitKeepsTheNewestFiveThousand() {
        DedupCache cache = new DedupCache();
        for (int i = 1; i <= 10_000; i++) {
            cache.firstSeen("id-" + i);
        }
        assertEquals(10_000, cache.size());
        cache.firstSeen("id-10001");
        assertEquals(5_000, cache.size());
        assertFalse(cache.contains("id-5001"));
        assertTrue(cache.contains("id-5002"));
        assertTrue(cache.contains("id-10001"));
        assertTrue(cache.firstSeen("id-1"), "a forgotten id counts as new again");
    }
}
