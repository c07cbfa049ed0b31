package dev.switchboard.router.internal;

/**
 * Counts a run of like events (drops, failed sends) so that a run is logged once when it starts and
 * once when it ends, however long it lasts. Not thread-safe: callers hold their own lock.
 */
final class Streak {

    private long count;

    /** Records one event; true when it starts a new streak (the moment to log a warning). */
    boolean record() {
        return count++ == 0;
    }

    boolean active() {
        return count > 0;
    }

    /** Ends the streak; returns how many events it held (0 when none was running). */
    long end() {
        long ended = count;
        count = 0;
        return ended;
    }
}
