package dev.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void standardScheduleDoublesFromOneSecondToThirty() {
        List<Long> seconds = IntStream.rangeClosed(1, 7)
                .mapToObj(attempt -> Backoff.STANDARD.base(attempt).toSeconds()).toList();
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L), seconds);
        assertEquals(Duration.ofSeconds(30), Backoff.STANDARD.base(1_000));
    }

    @Test
    void jitterStaysWithinTwentyPercent() {
        for (int attempt = 1; attempt <= 7; attempt++) {
            long base = Backoff.STANDARD.base(attempt).toMillis();
            assertEquals(Math.round(base * 0.8), Backoff.STANDARD.delay(attempt, () -> 0.0).toMillis());
            assertEquals(base, Backoff.STANDARD.delay(attempt, () -> 0.5).toMillis());
            long highest = Backoff.STANDARD.delay(attempt, () -> 0.999_999).toMillis();
            assertTrue(highest <= Math.round(base * 1.2) && highest > base, attempt + ": " + highest);
        }
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
