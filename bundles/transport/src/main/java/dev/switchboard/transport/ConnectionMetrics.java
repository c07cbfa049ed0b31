package dev.switchboard.transport;

import java.util.concurrent.atomic.LongAdder;

/** Live, thread-safe counters of one connection, a client across its reconnects, or a server. */
public final class ConnectionMetrics {

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder reconnects = new LongAdder();

    /** A snapshot of the counters. */
    public record Snapshot(long framesIn, long framesOut, long bytesIn, long bytesOut, long errors, long reconnects) {

        public Snapshot plus(Snapshot other) {
            return new Snapshot(framesIn + other.framesIn, framesOut + other.framesOut, bytesIn + other.bytesIn,
                    bytesOut + other.bytesOut, errors + other.errors, reconnects + other.reconnects);
        }
    }

    public static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0, 0);

    public void frameIn(long bytes) {
        framesIn.increment();
        bytesIn.add(bytes);
    }

    public void frameOut(long bytes) {
        framesOut.increment();
        bytesOut.add(bytes);
    }

    /** {@code frames} written in one go, {@code bytes} of payload in all. */
    public void framesOut(long frames, long bytes) {
        framesOut.add(frames);
        bytesOut.add(bytes);
    }

    public void error() {
        errors.increment();
    }

    public void reconnect() {
        reconnects.increment();
    }

    public Snapshot snapshot() {
        return new Snapshot(framesIn.sum(), framesOut.sum(), bytesIn.sum(), bytesOut.sum(), errors.sum(),
                reconnects.sum());
    }
}
