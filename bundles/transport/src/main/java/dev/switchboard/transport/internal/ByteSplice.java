package dev.switchboard.transport.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.Splice;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link Splice}: one {@link Direction} each way, ending once. */
public final class ByteSplice implements Splice {

    private final ByteStream a;
    private final ByteStream b;
    private final Listener listener;
    private final Direction aToB;
    private final Direction bToA;
    private final AtomicBoolean ended = new AtomicBoolean();

    private ByteSplice(ByteStream a, ByteStream b, Listener listener) {
        this.a = a;
        this.b = b;
        this.listener = listener;
        this.aToB = new Direction(a, b);
        this.bToA = new Direction(b, a);
    }

    /** Joins two fresh streams; see {@link Splice#join(ByteStream, ByteStream, int, Listener)}. */
    public static Splice join(ByteStream a, ByteStream b, int writeLimit, Listener listener) {
        ByteSplice splice = new ByteSplice(a, b, listener);
        a.writeLimit(writeLimit);
        b.writeLimit(writeLimit);
        a.receive(splice.aToB);
        b.receive(splice.bToA);
        return splice;
    }

    @Override
    public ByteStream a() {
        return a;
    }

    @Override
    public ByteStream b() {
        return b;
    }

    @Override
    public long bytesAToB() {
        return aToB.bytes;
    }

    @Override
    public long bytesBToA() {
        return bToA.bytes;
    }

    @Override
    public void abort() {
        finish(true);
    }

    private void finish(boolean reset) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (reset) {
            a.abort();
            b.abort();
        } else {
            a.close();
            b.close();
        }
        listener.closed(this, reset);
    }

    /** Copies what one side reads to the other, pausing the reader while the writer is full. */
    private final class Direction implements ByteReceiver {

        private final ByteStream from;
        private final ByteStream to;
        private volatile long bytes;
        private volatile boolean done;

        Direction(ByteStream from, ByteStream to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void onBytes(ByteBuffer chunk) {
            bytes += chunk.remaining();
            if (!to.write(chunk)) {
                from.pause();
                to.whenWritable(from::resume);
            }
        }

        @Override
        public void onEnd() {
            done = true;
            to.end();
            if (aToB.done && bToA.done) {
                finish(false);
            }
        }

        @Override
        public void onClosed(boolean reset) {
            finish(reset);
        }
    }
}
