package dev.switchboard.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application-level heartbeat: runs a task at once and then every interval, for protocols
 * whose peer expects a message of theirs (not a WebSocket ping) while the session lasts. It has
 * no thread of its own: adapters get one from {@link WebSocketTransport#heartbeat}, whose beats
 * run on the transport's timer and end when the transport is closed. Restartable:
 * {@link #start()} after a reconnect begins a fresh schedule, {@link #stop()} on a loss ends it.
 * A task that throws is logged and runs again at the next beat. Thread-safe.
 */
public final class Heartbeat implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

    private final String name;
    private final Duration interval;
    private final Runnable beat;
    private final ScheduledExecutorService timer;
    // guarded by this
    private ScheduledFuture<?> schedule;
    private boolean closed;

    /**
     * @param name     names the heartbeat in logs, usually the endpoint id
     * @param interval time between beats; positive
     * @param beat     what each beat does (send the protocol's heartbeat message); it runs on
     *                 {@code timer}'s thread, shared with other work, so it must not block
     * @param timer    runs the beats; shared, not owned: stopping the heartbeat leaves it running
     */
    public Heartbeat(String name, Duration interval, Runnable beat, ScheduledExecutorService timer) {
        this.name = Objects.requireNonNull(name, "name");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.beat = Objects.requireNonNull(beat, "beat");
        this.timer = Objects.requireNonNull(timer, "timer");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
    }

    /**
     * Beats at once, then every interval; a running schedule starts over. Ignored once closed,
     * or once the timer was shut down (its transport closed).
     */
    public synchronized void start() {
        if (closed) {
            return;
        }
        stop();
        try {
            // fixed delay, not fixed rate: after a stall of the shared timer, one beat rather than a burst
            schedule = timer.scheduleWithFixedDelay(this::beatSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: heartbeat not started: its timer is shut down", name);
        }
    }

    /** Ends the schedule; a later {@link #start()} begins again. Idempotent. */
    public synchronized void stop() {
        if (schedule != null) {
            schedule.cancel(false);
            schedule = null;
        }
    }

    /** True between {@link #start()} and {@link #stop()}, while the timer runs. */
    public synchronized boolean running() {
        return schedule != null && !timer.isShutdown();
    }

    /** Stops for good. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        stop();
    }

    // an exception escaping a periodic task would cancel every later beat
    private void beatSafely() {
        try {
            beat.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: heartbeat task failed: {}", name, e.toString());
        }
    }
}
