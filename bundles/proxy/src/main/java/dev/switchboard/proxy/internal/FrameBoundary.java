package dev.switchboard.proxy.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Follows WebSocket frame boundaries (RFC 6455 §5.2) in the bytes going to a browser, so the
 * controller can end the browser's WebSocket with a close frame of its own when the tunnel is lost
 * (PROTOCOL.md §6). A frame of at most {@code holdLimit} bytes, header included, goes to the browser
 * whole or not at all: its bytes are held (the tunnel's buffers themselves, never copied) until its
 * last byte came. A larger frame streams as it comes; the browser is then between frames except
 * while such a frame is under way. Not thread-safe: one direction feeds it.
 */
final class FrameBoundary {

    private final long holdLimit;
    /** Header bytes seen of the frame in progress (at most 14). */
    private final byte[] header = new byte[14];
    private int headerBytes;
    private long payloadLeft;
    /** The frame in progress is held until it is complete. */
    private boolean holding;
    private final Deque<ByteBuffer> held = new ArrayDeque<>();

    /** @param holdLimit the largest frame, header included, held back until it is complete */
    FrameBoundary(long holdLimit) {
        this.holdLimit = holdLimit;
    }

    /**
     * Takes {@code bytes} on their way to the browser; returns what may be written now, in order:
     * slices of {@code bytes} and of bytes held before. The rest is held for a later call.
     */
    List<ByteBuffer> admit(ByteBuffer bytes) {
        List<ByteBuffer> ready = new ArrayList<>(2);
        int at = bytes.position();
        int end = bytes.limit();
        int pending = at;
        while (at < end) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, end - at);
                payloadLeft -= skip;
                at += (int) skip;
                if (payloadLeft == 0 && holding) {
                    pending = release(ready, bytes, pending, at);
                }
                continue;
            }
            if (headerBytes == 0) {
                // a frame starts: what came before it goes, the frame is held until its size is known
                pending = emit(ready, bytes, pending, at);
                holding = true;
            }
            header[headerBytes++] = bytes.get(at++);
            int needed = headerLength();
            if (needed > 0 && headerBytes == needed) {
                payloadLeft = payloadLength();
                headerBytes = 0;
                if (payloadLeft == 0 || needed + payloadLeft > holdLimit) {
                    pending = release(ready, bytes, pending, at);
                }
            }
        }
        if (holding) {
            if (pending < end) {
                held.add(bytes.slice(pending, end - pending));
            }
        } else {
            emit(ready, bytes, pending, end);
        }
        return ready;
    }

    /** True when the browser has seen no part of an unfinished frame: a frame of our own may be written now. */
    boolean atBoundary() {
        return holding || (headerBytes == 0 && payloadLeft == 0);
    }

    /** Everything held, then {@code bytes[from, to)}; the frame is no longer held. Returns {@code to}. */
    private int release(List<ByteBuffer> ready, ByteBuffer bytes, int from, int to) {
        ready.addAll(held);
        held.clear();
        holding = false;
        return emit(ready, bytes, from, to);
    }

    private static int emit(List<ByteBuffer> ready, ByteBuffer bytes, int from, int to) {
        if (to > from) {
            ready.add(bytes.slice(from, to - from));
        }
        return to;
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
