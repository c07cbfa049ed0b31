package dev.switchboard.proxy.internal;

import dev.switchboard.transport.ByteSink;
import java.nio.ByteBuffer;

/**
 * Where a stream's received bytes are written onward (a browser or a service connection): credit
 * goes back to the peer as soon as the sink takes more, and waits while the sink is over its
 * limit. So memory per stream stays within one window plus the sink's limit, and a slow reader
 * holds back its own stream only (PROTOCOL.md §4).
 */
final class CreditedSink {

    private final TunnelStream stream;
    private final ByteSink sink;
    // guarded by this
    private int credit;
    private boolean awaitingRoom;

    CreditedSink(TunnelStream stream, ByteSink sink) {
        this.stream = stream;
        this.sink = sink;
    }

    ByteSink sink() {
        return sink;
    }

    void write(ByteBuffer bytes) {
        synchronized (this) {
            credit += bytes.remaining();
        }
        if (sink.write(bytes)) {
            giveCredit();
            return;
        }
        synchronized (this) {
            if (awaitingRoom) {
                return;
            }
            awaitingRoom = true;
        }
        sink.whenWritable(() -> {
            synchronized (this) {
                awaitingRoom = false;
            }
            giveCredit();
        });
    }

    private void giveCredit() {
        int bytes;
        synchronized (this) {
            bytes = credit;
            credit = 0;
        }
        if (bytes > 0) {
            stream.consumed(bytes);
        }
    }
}
