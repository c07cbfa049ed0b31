package dev.switchboard.transport.internal;

import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import java.time.Duration;

/** The limits and keepalive one connection enforces, from a client or server spec. */
record ConnectionPolicy(int maxMessageSize, Duration pingInterval, Duration pongTimeout, int sendQueueLimit) {

    /** Room for one WebSocket frame header (2 + 8 length + 4 mask bytes). */
    private static final int FRAME_HEADER = 14;
    /** Tyrus's own default frame buffer; it grows on demand, so a high ceiling costs nothing until used. */
    private static final int TYRUS_DEFAULT_FRAME_BUFFER = 4 * 1024 * 1024;

    static ConnectionPolicy of(ClientSpec spec) {
        return new ConnectionPolicy(spec.maxMessageSize(), spec.pingInterval(), spec.pongTimeout(),
                spec.sendQueueLimit());
    }

    static ConnectionPolicy of(ServerSpec spec) {
        return new ConnectionPolicy(spec.maxMessageSize(), spec.pingInterval(), spec.pongTimeout(),
                spec.sendQueueLimit());
    }

    /**
     * Tyrus's raw frame buffer. A frame that overflows it is closed by Tyrus itself, with 1011
     * "Buffer overflow." sent to the peer. A server refuses an oversize frame from its header
     * before Tyrus buffers it (see {@link TyrusInternals}); a client has no such filter, so the
     * buffer is sized well above the message limit (at least Tyrus's 4 MiB default, at least
     * twice the limit): a message up to that size reaches our own check and is closed with a
     * real 1009.
     */
    int frameBufferSize() {
        long size = Math.max(TYRUS_DEFAULT_FRAME_BUFFER, 2L * maxMessageSize) + FRAME_HEADER;
        return (int) Math.min(Integer.MAX_VALUE - 64, size);
    }
}
