package dev.switchboard.itests;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one way the integration tests wait: poll a condition until it holds or a timeout passes,
 * then fail saying what did not happen. A test asserts that something happened, never how long
 * it took; the timeout only bounds a test that would otherwise hang.
 */
public final class Await {

    /** Long enough for anything a test waits for on a loaded machine; reached only when it will not happen. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 20;

    /** A condition that may throw while what it looks at comes and goes (a service being re-registered). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Waits until {@code condition} holds, at most {@link #TIMEOUT}. */
    public static void until(String what, Condition condition) throws InterruptedException {
        until(what, TIMEOUT, condition, () -> null);
    }

    /** As {@link #until(String, Condition)}; a failure also tells what {@code seen} says was last seen. */
    public static void until(String what, Condition condition, Supplier<?> seen) throws InterruptedException {
        until(what, TIMEOUT, condition, seen);
    }

    /**
     * Waits until {@code condition} holds, at most {@code timeout}; a condition that throws has
     * not held yet. Fails at the timeout with {@code what}, what {@code seen} gives (unless null)
     * and the last exception thrown.
     */
    public static void until(String what, Duration timeout, Condition condition, Supplier<?> seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
                last = null;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                Object lastSeen = seen.get();
                AssertionError failure = new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until "
                        + what + (lastSeen == null ? "" : "; last seen: " + lastSeen)
                        + (last == null ? "" : "; last check threw " + last));
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Whether {@code condition} comes to hold within {@code window}: for "this must not happen"
     * checks, where the window is several times longer than the thing would take if it did.
     */
    public static boolean within(Duration window, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                if (condition.holds()) {
                    return true;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // not yet observable: it has not happened
            }
            Thread.sleep(POLL_MILLIS);
        }
        return false;
    }
}
