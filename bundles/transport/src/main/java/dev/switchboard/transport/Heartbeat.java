package dev.switchboard.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application-level heartbeat: runs a task at once and then every interval on one thread of
 * its own, for protocols whose peer expects a message of theirs (not a WebSocket ping) while the
 * session lasts. Restartable: {@link #start()} after a reconnect begins a fresh schedule,
 * {@link #stop()} on a loss ends it and its thread. A task that throws is logged and runs again
 * at the next beat. Thread-safe.
 */
public final class Heartbeat implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

    private final String threadName;
    private final Duration interval;
    private final Runnable beat;
    // guarded by this
    private ScheduledThreadPoolExecutor timer;
    private boolean closed;

    /**
     * @param threadName names the heartbeat's thread, so thread dumps and leak checks can tell it apart
     * @param interval   time between beats; positive
     * @param beat       what each beat does (send the protocol's heartbeat message)
     */
    public Heartbeat(String threadName, Duration interval, Runnable beat) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.beat = Objects.requireNonNull(beat, "beat");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
    }

    /** Beats at once, then every interval; a running schedule starts over. Ignored once closed. */
    public synchronized void start() {
        if (closed) {
            return;
        }
        stop();
        timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(this::beatSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Ends the schedule and its thread; a later {@link #start()} begins again. Idempotent. */
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** True between {@link #start()} and {@link #stop()}. */
    public synchronized boolean running() {
        return timer != null;
    }

    /** Stops for good. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        stop();
    }

    // an exception escaping a fixed-rate task would cancel every later beat
    private void beatSafely() {
        try {
            beat.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: heartbeat task failed: {}", threadName, e.toString());
        }
    }
}
