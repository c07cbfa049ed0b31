package dev.switchboard.transport.internal;

/**
 * Follows the WebSocket frames (RFC 6455 §5.2) a peer sends, reading their headers only, and
 * finds the first frame that takes a data message over the limit, from its header alone: an
 * oversize frame is refused before any of its payload is read or buffered, whatever size it
 * announces. Control frames never count; the fragments of one message add up. One instance per
 * connection, fed its bytes in arrival order; not thread-safe.
 */
final class FrameSizeLimit {

    /** Byte {@code index} of a chunk. */
    @FunctionalInterface
    interface Chunk {
        byte at(int index);
    }

    /** What {@link #check} returns while every frame fits. */
    static final int FITS = -1;

    static final int LONGEST_HEADER = 14;

    private final long limit;
    private final byte[] header = new byte[LONGEST_HEADER];
    /** Bytes of the current frame header read so far; 0 between frames. */
    private int headerBytes;
    /** Payload bytes of the current frame not yet passed. */
    private long payloadLeft;
    /** Payload of the data message under way, in the fragments seen so far. */
    private long messageBytes;
    /** The size the refused message announced, or -1. */
    private long refused = -1;

    FrameSizeLimit(long limit) {
        this.limit = limit;
    }

    /**
     * Reads the next {@code length} bytes of the stream. Returns {@link #FITS}, or where in this
     * chunk the first oversize frame starts: 0 when it started in an earlier chunk, and always 0
     * once a frame was refused (nothing after it is ever read).
     */
    int check(Chunk chunk, int length) {
        if (refused >= 0) {
            return 0;
        }
        int position = 0;
        int frameStart = 0;
        while (position < length) {
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, length - position);
                position += skip;
                payloadLeft -= skip;
                continue;
            }
            if (headerBytes == 0) {
                frameStart = position;
            }
            header[headerBytes++] = chunk.at(position++);
            if (headerBytes < headerLength()) {
                continue;
            }
            headerBytes = 0;
            long payload = payloadLength();
            int opcode = header[0] & 0x0F;
            boolean dataFrame = opcode < 0x8;
            if (dataFrame) {
                long before = opcode == 0 ? messageBytes : 0;
                if (payload > limit - before) {
                    refused = payload > Long.MAX_VALUE - before ? Long.MAX_VALUE : before + payload;
                    return frameStart;
                }
                boolean fin = (header[0] & 0x80) != 0;
                messageBytes = fin ? 0 : before + payload;
            }
            payloadLeft = payload;
        }
        return FITS;
    }

    /** The size the refused message announced (its fragments so far included), or -1 while all fit. */
    long refusedSize() {
        return refused;
    }

    long limit() {
        return limit;
    }

    private int headerLength() {
        return headerBytes < 2 ? 2 : headerLength(header[1]);
    }

    private long payloadLength() {
        return payloadLength(header, 0);
    }

    /** The length of a frame header whose second byte (mask bit and length code) is {@code second}. */
    static int headerLength(byte second) {
        int lengthCode = second & 0x7F;
        int extended = lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0;
        int mask = (second & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    /** The payload length of the whole frame header at {@code start} of {@code bytes}. */
    static long payloadLength(byte[] bytes, int start) {
        int lengthCode = bytes[start + 1] & 0x7F;
        if (lengthCode < 126) {
            return lengthCode;
        }
        int count = lengthCode == 126 ? 2 : 8;
        long length = 0;
        for (int i = 0; i < count; i++) {
            length = (length << 8) | (bytes[start + 2 + i] & 0xFF);
        }
        // the most significant bit must be 0 (RFC 6455 §5.2); a length past it is too big all the same
        return length < 0 ? Long.MAX_VALUE : length;
    }
}
