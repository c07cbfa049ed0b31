package dev.switchboard.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: attempt 1 waits {@code initial}, each further attempt doubles,
 * never beyond {@code max}; every delay is then spread over {@code ±jitter} of itself, clipped to
 * {@code max}, so that many clients dropped at once do not return at once and no wait is ever
 * longer than {@code max}.
 *
 * @param initial the first delay
 * @param max     the longest delay, jitter included
 * @param jitter  fraction in [0, 1) by which a delay may be shortened or lengthened
 */
public record Backoff(Duration initial, Duration max, double jitter) {

    /** The schedule every Switchboard client uses unless told otherwise: 1 s doubling to 30 s, ±20 %. */
    public static final Backoff STANDARD = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1), got " + jitter);
        }
    }

    /** The delay before {@code attempt} (1-based) without jitter. */
    public Duration base(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        }
        long initialMs = initial.toMillis();
        long maxMs = max.toMillis();
        int shift = Math.min(attempt - 1, 62);
        long ms = initialMs > (maxMs >> shift) ? maxMs : Math.min(maxMs, initialMs << shift);
        return Duration.ofMillis(ms);
    }

    /**
     * The delay before {@code attempt} (1-based), jittered by {@code random}, a source of values
     * in [0, 1) (inject a fixed one in tests): spread evenly over
     * {@code [base - jitter·base, min(max, base + jitter·base)]}, so once the base reaches
     * {@code max} the jitter only shortens it.
     */
    public Duration delay(int attempt, DoubleSupplier random) {
        long baseMs = base(attempt).toMillis();
        double spread = jitter * baseMs;
        double lowest = baseMs - spread;
        double highest = Math.min(max.toMillis(), baseMs + spread);
        return Duration.ofMillis(Math.max(1, Math.round(lowest + random.getAsDouble() * (highest - lowest))));
    }
}
