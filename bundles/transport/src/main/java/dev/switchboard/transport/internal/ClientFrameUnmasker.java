package dev.switchboard.transport.internal;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;

/**
 * Turns the masked frames a client sends (RFC 6455 §5.3) into plain ones in the buffers they
 * arrive in: each payload unmasked eight bytes at a time ({@link WebSocketMask}), the mask bit
 * cleared and the key taken out, the bytes after it moved back over it. Tyrus's server reads plain
 * frames as they are and would otherwise unmask a byte at a time
 * ({@link TyrusInternals.Internal#UNMASKED_FRAMES}). A header split over two reads waits here for
 * its rest, so Tyrus only ever sees whole headers. One instance per connection, fed its bytes in
 * arrival order; not thread-safe.
 */
final class ClientFrameUnmasker {

    private static final int MASK_BIT = 0x80;
    private static final int KEY_BYTES = 4;

    /** The start of a header that came without its end. */
    private final byte[] held = new byte[FrameSizeLimit.LONGEST_HEADER];
    private int heldBytes;
    /** Payload bytes of the current frame still to come. */
    private long payloadLeft;
    /** The current frame's key, turned to the next payload byte; 0 for a frame sent plain. */
    private int key;

    /**
     * Unmasks {@code bytes}, the next bytes from the client, and returns the plain frames' bytes
     * to hand on: {@code bytes} itself (shorter by the keys taken out) when its memory is an array,
     * else a copy; null when nothing is left to hand on (all of it was the start of a header).
     */
    Buffer unmask(Buffer bytes, MemoryManager<?> memory) {
        int length = bytes.remaining();
        boolean inPlace = heldBytes == 0 && bytes.hasArray();
        byte[] array;
        int start;
        if (inPlace) {
            array = bytes.array();
            start = bytes.arrayOffset() + bytes.position();
        } else {
            // rare: a header split over two reads, or memory that is not an array
            array = new byte[heldBytes + length];
            System.arraycopy(held, 0, array, 0, heldBytes);
            bytes.get(array, heldBytes, length);
            start = 0;
            length += heldBytes;
            heldBytes = 0;
        }
        int end = unmask(array, start, start + length);
        int plain = end - start;
        if (plain == 0) {
            return null;
        }
        if (inPlace) {
            bytes.limit(bytes.position() + plain);
            return bytes;
        }
        return Buffers.wrap(memory, array, 0, plain);
    }

    /** Unmasks the frames in {@code array[from, to)} in place; returns where the plain bytes end. */
    private int unmask(byte[] array, int from, int to) {
        int read = from;
        int write = from;
        while (read < to) {
            if (payloadLeft > 0) {
                int count = (int) Math.min(payloadLeft, to - read);
                if (key != 0 || write != read) {
                    key = WebSocketMask.apply(array, read, write, count, key);
                }
                read += count;
                write += count;
                payloadLeft -= count;
                continue;
            }
            int header = to - read < 2 ? Integer.MAX_VALUE : FrameSizeLimit.headerLength(array[read + 1]);
            if (to - read < header) {
                heldBytes = to - read;
                System.arraycopy(array, read, held, 0, heldBytes);
                break;
            }
            boolean masked = (array[read + 1] & MASK_BIT) != 0;
            int kept = masked ? header - KEY_BYTES : header;
            payloadLeft = FrameSizeLimit.payloadLength(array, read);
            key = masked ? (array[read + kept] & 0xFF) << 24 | (array[read + kept + 1] & 0xFF) << 16
                    | (array[read + kept + 2] & 0xFF) << 8 | (array[read + kept + 3] & 0xFF) : 0;
            System.arraycopy(array, read, array, write, kept);
            array[write + 1] &= (byte) ~MASK_BIT;
            read += header;
            write += kept;
        }
        return write;
    }
}
