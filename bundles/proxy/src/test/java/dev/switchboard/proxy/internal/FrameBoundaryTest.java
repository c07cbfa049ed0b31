package dev.switchboard.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The controller's view of WebSocket frames going to a browser (RFC 6455 §5.2). */
class FrameBoundaryTest {

    /** A text frame of 3 B, a masked binary frame of 300 B (16-bit length), a ping of 0 B, a frame of 70 000 B (64-bit length). */
    private static final byte[] FRAMES = frames();

    private static byte[] frames() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x81, 3, 'a', 'b', 'c'});
        out.writeBytes(new byte[] {(byte) 0x82, (byte) (0x80 | 126), 0x01, 0x2c, 1, 2, 3, 4});
        out.writeBytes(new byte[300]);
        out.writeBytes(new byte[] {(byte) 0x89, 0});
        out.writeBytes(new byte[] {(byte) 0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70});
        out.writeBytes(new byte[70_000]);
        return out.toByteArray();
    }

    /** Bad input: the frames cut at every position of their headers and payloads, in chunks of 1 to 7 B. */
    @Test
    void everyByteGoesOnceInOrderWhateverTheCuts() {
        for (int chunk = 1; chunk <= 7; chunk++) {
            FrameBoundary boundary = new FrameBoundary(1024);
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            for (int at = 0; at < FRAMES.length; at += chunk) {
                ByteBuffer piece = ByteBuffer.wrap(FRAMES, at, Math.min(chunk, FRAMES.length - at));
                boundary.admit(piece).forEach(b -> written.writeBytes(bytes(b)));
            }
            assertArrayEquals(FRAMES, written.toByteArray(), "chunks of " + chunk);
            assertTrue(boundary.atBoundary());
        }
    }

    /** Bad input: a small frame cut in its header, then in its payload, then its end with the next frame's start. */
    @Test
    void aSmallFrameGoesWholeOrNotAtAll() {
        FrameBoundary boundary = new FrameBoundary(1024);
        assertEquals(List.of(), boundary.admit(ByteBuffer.wrap(FRAMES, 5, 3)), "half a header");
        assertTrue(boundary.atBoundary(), "the browser saw nothing of it");
        assertEquals(List.of(), boundary.admit(ByteBuffer.wrap(FRAMES, 8, 200)), "the header and part of the payload");
        assertTrue(boundary.atBoundary());
        List<ByteBuffer> ready = boundary.admit(ByteBuffer.wrap(FRAMES, 208, 106));
        assertEquals(308, ready.stream().mapToInt(ByteBuffer::remaining).sum(), "the whole frame at once");
        assertTrue(boundary.atBoundary(), "the ping's first byte is held");
    }

    /** Bad input: a frame larger than the hold limit, cut in its payload. */
    @Test
    void aLargeFrameStreamsAndIsNotABoundaryUntilItsEnd() {
        FrameBoundary boundary = new FrameBoundary(1024);
        int large = 5 + 308 + 2;
        boundary.admit(ByteBuffer.wrap(FRAMES, 0, large));
        List<ByteBuffer> ready = boundary.admit(ByteBuffer.wrap(FRAMES, large, 10 + 500));
        assertEquals(510, ready.stream().mapToInt(ByteBuffer::remaining).sum(), "passed on as it comes");
        assertFalse(boundary.atBoundary());
        boundary.admit(ByteBuffer.wrap(FRAMES, large + 510, FRAMES.length - large - 510));
        assertTrue(boundary.atBoundary());
    }

    @Test
    void bytesAreSlicesNotCopies() {
        byte[] frame = {(byte) 0x81, 3, 'a', 'b', 'c'};
        ByteBuffer ready = new FrameBoundary(1024).admit(ByteBuffer.wrap(frame)).get(0);
        assertSame(frame, ready.array());
    }

    @Test
    void theCloseFrameIsUnmaskedAndItsReasonCutToFit() {
        ByteBuffer close = FrameBoundary.closeFrame(1001, "x".repeat(200));
        assertEquals((byte) 0x88, close.get(0));
        assertEquals(125, close.get(1));
        assertEquals(1001, close.getShort(2));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
