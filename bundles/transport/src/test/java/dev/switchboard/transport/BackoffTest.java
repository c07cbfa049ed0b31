package dev.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    /** The extremes a random source in [0, 1) can return. */
    private static final double LOWEST = 0.0;
    private static final double HIGHEST = 0.999_999;

    @Test
    void standardScheduleDoublesFromOneSecondToThirty() {
        List<Long> seconds = IntStream.rangeClosed(1, 7)
                .mapToObj(attempt -> Backoff.STANDARD.base(attempt).toSeconds()).toList();
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L), seconds);
        assertEquals(Duration.ofSeconds(30), Backoff.STANDARD.base(1_000));
    }

    @Test
    void belowTheCapJitterSpreadsTwentyPercentEachWay() {
        for (int attempt = 1; attempt <= 5; attempt++) {
            long base = Backoff.STANDARD.base(attempt).toMillis();
            assertEquals(Math.round(base * 0.8), Backoff.STANDARD.delay(attempt, () -> LOWEST).toMillis());
            assertEquals(base, Backoff.STANDARD.delay(attempt, () -> 0.5).toMillis());
            assertEquals(Math.round(base * 1.2), Backoff.STANDARD.delay(attempt, () -> HIGHEST).toMillis(), "attempt " + attempt);
        }
    }

    /** Bad input: the highest random value at the cap, where 30 s ± 20 % used to give up to 36 s (30 645 ms was seen). */
    @Test
    void atTheCapJitterOnlyShortens() {
        for (int attempt : new int[] {6, 7, 64, Integer.MAX_VALUE}) {
            assertEquals(30_000, Backoff.STANDARD.delay(attempt, () -> HIGHEST).toMillis(), "attempt " + attempt);
            assertEquals(24_000, Backoff.STANDARD.delay(attempt, () -> LOWEST).toMillis(), "attempt " + attempt);
        }
    }

    /** A base just under the cap: the upward jitter stops at the cap, the downward one keeps its full width. */
    @Test
    void nearTheCapTheUpwardSpreadIsClipped() {
        Backoff backoff = new Backoff(Duration.ofMillis(900), Duration.ofMillis(1_000), 0.5);
        assertEquals(1_000, backoff.delay(1, () -> HIGHEST).toMillis());
        assertEquals(450, backoff.delay(1, () -> LOWEST).toMillis());
        for (int attempt = 1; attempt <= 70; attempt++) {
            for (double random = 0; random < 1; random += 0.01) {
                double r = random;
                long ms = backoff.delay(attempt, () -> r).toMillis();
                assertTrue(ms >= 1 && ms <= 1_000, attempt + " @ " + r + ": " + ms);
            }
        }
    }

    @Test
    void withoutJitterTheDelayIsTheBase() {
        Backoff exact = new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 0);
        assertEquals(List.of(50L, 100L, 200L, 400L, 400L),
                IntStream.rangeClosed(1, 5).mapToObj(a -> exact.delay(a, () -> HIGHEST).toMillis()).toList());
    }

    /** Bad input: attempt 0, negative or inverted durations, jitter of 1. */
    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> Backoff.STANDARD.base(0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 1));
    }
}
