package dev.switchboard.transport;

import dev.switchboard.transport.internal.ByteSplice;

/**
 * Two byte streams joined both ways: what one reads the other writes, with backpressure (a side
 * stops reading while the other has {@link ByteSink#DEFAULT_WRITE_LIMIT} or more bytes unwritten),
 * a half-close passed on, both closed once both directions ended or either closes (a reset
 * passed on as a reset), bytes counted each way.
 */
public interface Splice {

    /** Called once when the splice ended. {@code reset}: a side ended abnormally. */
    @FunctionalInterface
    interface Listener {
        void closed(Splice splice, boolean reset);
    }

    /** Joins {@code a} and {@code b}; both must be fresh (not receiving yet). */
    static Splice join(ByteStream a, ByteStream b, Listener listener) {
        return join(a, b, ByteSink.DEFAULT_WRITE_LIMIT, listener);
    }

    /** As {@link #join(ByteStream, ByteStream, Listener)} with another write limit, in bytes. */
    static Splice join(ByteStream a, ByteStream b, int writeLimit, Listener listener) {
        return ByteSplice.join(a, b, writeLimit, listener);
    }

    ByteStream a();

    ByteStream b();

    long bytesAToB();

    long bytesBToA();

    /** Ends both sides now, as a reset. */
    void abort();
}
