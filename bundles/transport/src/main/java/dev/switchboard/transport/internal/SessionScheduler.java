package dev.switchboard.transport.internal;

import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler Tyrus gives a server's sessions. Tyrus 2.2 re-arms a session's idle timer on every
 * message it receives, even with no idle timeout set: it then schedules a task with no delay that
 * does nothing, and a pool thread wakes for each message (one per request on the relay's control
 * channel). Those tasks are answered done here without running ({@link TyrusInternals#isIdleTimerWithoutTimeout});
 * everything else is scheduled as usual. Our own timeouts (pings, linger) are not on this scheduler.
 */
final class SessionScheduler extends ScheduledThreadPoolExecutor {

    private final AtomicLong skipped = new AtomicLong();

    SessionScheduler(String name) {
        super(1, new NamedThreadFactory(name));
        setRemoveOnCancelPolicy(true);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (delay <= 0 && TyrusInternals.isIdleTimerWithoutTimeout(command)) {
            skipped.incrementAndGet();
            return Done.INSTANCE;
        }
        return super.schedule(command, delay, unit);
    }

    /** Idle-timer tasks answered without running (tests). */
    long skipped() {
        return skipped.get();
    }

    /** A task that has run: cancelling it does nothing. */
    private static final class Done implements ScheduledFuture<Object> {

        static final Done INSTANCE = new Done();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
