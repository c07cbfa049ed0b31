package dev.switchboard.relay.internal;

import dev.switchboard.transport.ByteSink;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * Writes the DATA frames of one body to where it goes and acks them once written there: at once
 * while the sink takes more, else when it drained. Acks are batched to a quarter window.
 */
final class BodyWriter {

    private static final int ACK_BATCH = BodySender.WINDOW / 4;

    private final ByteSink sink;
    private final LongConsumer ack;
    private long unacked;
    private boolean waiting;

    BodyWriter(ByteSink sink, LongConsumer ack) {
        this.sink = sink;
        this.ack = ack;
    }

    void data(ByteBuffer bytes) {
        int length = bytes.remaining();
        boolean more = sink.write(bytes);
        long due = 0;
        synchronized (this) {
            unacked += length;
            if (!more) {
                if (!waiting) {
                    waiting = true;
                    sink.whenWritable(this::drained);
                }
            } else if (!waiting && unacked >= ACK_BATCH) {
                due = unacked;
                unacked = 0;
            }
        }
        if (due > 0) {
            ack.accept(due);
        }
    }

    private void drained() {
        long due;
        synchronized (this) {
            waiting = false;
            due = unacked;
            unacked = 0;
        }
        if (due > 0) {
            ack.accept(due);
        }
    }

    void end() {
        sink.end();
    }

    void abort() {
        sink.abort();
    }
}
