package dev.switchboard.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class FrameSizeLimitTest {

    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CONTINUATION = 0x0;
    private static final int PING = 0x9;

    /** A frame as a client sends it (masked), or its header alone; a negative length sets the forbidden top bit. */
    static byte[] frame(int opcode, boolean fin, long length, boolean withPayload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (length >= 0 && length < 126) {
            out.write(0x80 | (int) length);
        } else if (length >= 0 && length <= 0xFFFF) {
            out.write(0x80 | 126);
            out.write((int) (length >>> 8));
            out.write((int) length & 0xFF);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift) & 0xFF);
            }
        }
        out.writeBytes(new byte[] {1, 2, 3, 4});
        if (withPayload) {
            out.writeBytes(new byte[(int) length]);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int check(FrameSizeLimit limit, byte[] bytes) {
        return limit.check(i -> bytes[i], bytes.length);
    }

    @Test
    void framesUpToTheLimitFitInEveryLengthEncoding() {
        FrameSizeLimit limit = new FrameSizeLimit(70_000);
        assertEquals(FrameSizeLimit.FITS, check(limit, concat(frame(TEXT, true, 125, true),
                frame(BINARY, true, 126, true), frame(TEXT, true, 65_535, true), frame(BINARY, true, 70_000, true))));
        assertEquals(-1, limit.refusedSize());
    }

    /** Bad input: one byte over, announced in each of the three length encodings. */
    @Test
    void aFrameOneByteOverIsRefusedFromItsHeader() {
        for (long size : new long[] {100, 1_000, 100_000}) {
            FrameSizeLimit limit = new FrameSizeLimit(size - 1);
            assertEquals(0, check(limit, frame(TEXT, true, size, false)), "size " + size);
            assertEquals(size, limit.refusedSize());
        }
    }

    /** Bad input: 100 MB and a length with the forbidden top bit, header only: nothing of the payload is needed. */
    @Test
    void hugeAnnouncedSizesAreRefusedWithoutTheirPayload() {
        FrameSizeLimit limit = new FrameSizeLimit(1 << 20);
        assertEquals(0, check(limit, frame(BINARY, true, 100L << 20, false)));
        assertEquals(100L << 20, limit.refusedSize());

        FrameSizeLimit topBit = new FrameSizeLimit(1 << 20);
        assertEquals(0, check(topBit, frame(TEXT, true, Long.MIN_VALUE, false)));
        assertEquals(Long.MAX_VALUE, topBit.refusedSize());
    }

    /** Valid frames before the oversize one in the same chunk are passed; the offset says where it starts. */
    @Test
    void theOffsetOfTheOversizeFrameFollowsTheFramesThatFit() {
        byte[] small = frame(TEXT, true, 10, true);
        FrameSizeLimit limit = new FrameSizeLimit(1_000);
        assertEquals(2 * small.length, check(limit, concat(small, small, frame(TEXT, true, 1_001, true))));
        assertEquals(0, check(limit, frame(TEXT, true, 1, true)), "after a refusal nothing is read");
    }

    /** A header and payloads split anywhere, down to one byte per chunk. */
    @Test
    void headersSplitAcrossChunksAreFollowed() {
        byte[] first = frame(TEXT, true, 300, true);
        byte[] stream = concat(first, frame(BINARY, true, 70_000, false));
        FrameSizeLimit limit = new FrameSizeLimit(65_536);
        int refusedAt = -1;
        for (int i = 0; i < stream.length && refusedAt < 0; i++) {
            byte[] one = {stream[i]};
            if (check(limit, one) == 0) {
                refusedAt = i;
            }
        }
        assertEquals(first.length + 14 - 1, refusedAt, "refused at the last byte of its 14-byte header");
        assertEquals(70_000, limit.refusedSize());
    }

    /** Bad input: a message whose fragments each fit but add up to more; a ping in between does not count. */
    @Test
    void fragmentsOfOneMessageAddUp() {
        FrameSizeLimit limit = new FrameSizeLimit(1_000);
        byte[] first = frame(TEXT, false, 600, true);
        byte[] ping = frame(PING, true, 100, true);
        assertEquals(first.length + ping.length,
                check(limit, concat(first, ping, frame(CONTINUATION, true, 401, true))));
        assertEquals(1_001, limit.refusedSize());

        FrameSizeLimit exact = new FrameSizeLimit(1_000);
        assertEquals(FrameSizeLimit.FITS, check(exact, concat(first, ping, frame(CONTINUATION, true, 400, true),
                frame(TEXT, true, 1_000, true))), "a finished message starts the count again");
    }
}
