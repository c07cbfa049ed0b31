package dev.switchboard.transport.internal;

import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import java.time.Duration;

/** The limits and keepalive one connection enforces, from a client or server spec. */
record ConnectionPolicy(int maxMessageSize, Duration pingInterval, Duration pongTimeout, int sendQueueLimit) {

    /** Room for one WebSocket frame header (2 + 8 length + 4 mask bytes). */
    private static final int FRAME_HEADER = 14;
    private static final int MIN_FRAME_BUFFER = 64 * 1024;

    static ConnectionPolicy of(ClientSpec spec) {
        return new ConnectionPolicy(spec.maxMessageSize(), spec.pingInterval(), spec.pongTimeout(),
                spec.sendQueueLimit());
    }

    static ConnectionPolicy of(ServerSpec spec) {
        return new ConnectionPolicy(spec.maxMessageSize(), spec.pingInterval(), spec.pongTimeout(),
                spec.sendQueueLimit());
    }

    /**
     * Tyrus's raw frame buffer. A frame that overflows it is closed by Tyrus itself with 1011, so
     * it is sized well above the message limit: anything up to about twice the limit reaches our
     * own check and is closed with 1009.
     */
    int frameBufferSize() {
        long size = 2L * maxMessageSize + MIN_FRAME_BUFFER + FRAME_HEADER;
        return (int) Math.min(Integer.MAX_VALUE - 64, size);
    }
}
