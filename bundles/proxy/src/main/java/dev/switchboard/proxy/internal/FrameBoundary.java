package dev.switchboard.proxy.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Follows WebSocket frame boundaries (RFC 6455 §5.2) in bytes going to a browser, reading only
 * frame headers, so the controller knows when it may insert a close frame of its own. Payloads are
 * skipped, never copied. Not thread-safe: one writer direction feeds it.
 */
final class FrameBoundary {

    /** Header bytes seen of the frame in progress (at most 14). */
    private final byte[] header = new byte[14];
    private int headerBytes;
    private long payloadLeft;

    /** Takes note of {@code bytes} (position untouched) about to be written toward the browser. */
    void follow(ByteBuffer bytes) {
        int at = bytes.position();
        int end = bytes.limit();
        while (at < end) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, end - at);
                payloadLeft -= skip;
                at += (int) skip;
                continue;
            }
            header[headerBytes++] = bytes.get(at++);
            int needed = headerLength();
            if (needed > 0 && headerBytes == needed) {
                payloadLeft = payloadLength();
                headerBytes = 0;
            }
        }
    }

    /** True between frames: a frame of our own may be written now. */
    boolean atBoundary() {
        return headerBytes == 0 && payloadLeft == 0;
    }

    /** The length of the header in progress, or 0 while its first two bytes are not all seen. */
    private int headerLength() {
        if (headerBytes < 2) {
            return 0;
        }
        int length = header[1] & 0x7f;
        int extended = length == 126 ? 2 : length == 127 ? 8 : 0;
        return 2 + extended + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    private long payloadLength() {
        int length = header[1] & 0x7f;
        if (length < 126) {
            return length;
        }
        long value = 0;
        for (int i = 0; i < (length == 126 ? 2 : 8); i++) {
            value = (value << 8) | (header[2 + i] & 0xff);
        }
        return value;
    }

    /** An unmasked close frame (server to client) with {@code code} and {@code reason} (cut to fit). */
    static ByteBuffer closeFrame(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, 123);
        return ByteBuffer.allocate(4 + length).put((byte) 0x88).put((byte) (2 + length)).putShort((short) code)
                .put(text, 0, length).flip();
    }
}
