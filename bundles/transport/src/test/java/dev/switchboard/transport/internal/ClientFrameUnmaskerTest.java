package dev.switchboard.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.HeapMemoryManager;
import org.glassfish.grizzly.memory.MemoryManager;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientFrameUnmasker} against frames built here a byte at a time per RFC 6455: every
 * length encoding (7, 16 and 64 bit), empty payloads, control frames between fragments, a frame a
 * client sent plain, keys with every byte set; the stream cut at every byte (headers and keys
 * split over reads), in random pieces, and in memory that is not an array (a copy then).
 */
class ClientFrameUnmaskerTest {

    private static final MemoryManager<?> MEMORY = new HeapMemoryManager();

    private record Frame(int first, byte[] payload, Integer key) {
    }

    private static byte[] payload(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A frame as a client sends it: masked with {@code key}, or plain when it is null. */
    private static byte[] wire(Frame frame, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = frame.payload().length;
        int maskBit = masked && frame.key() != null ? 0x80 : 0;
        out.write(frame.first());
        if (length < 126) {
            out.write(maskBit | length);
        } else if (length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(length >>> 8);
            out.write(length & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) length >>> shift) & 0xFF);
            }
        }
        if (maskBit != 0) {
            int key = frame.key();
            out.write(key >>> 24);
            out.write(key >>> 16);
            out.write(key >>> 8);
            out.write(key);
            for (int i = 0; i < length; i++) {
                out.write(frame.payload()[i] ^ (key >>> (24 - 8 * (i % 4))));
            }
        } else {
            out.writeBytes(frame.payload());
        }
        return out.toByteArray();
    }

    private static final Frame[] FRAMES = {
            new Frame(0x82, payload(0, 1), 0x11223344),
            new Frame(0x81, "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0xFFFFFFFF),
            new Frame(0x02, payload(125, 2), 0x80000001),
            new Frame(0x89, "ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0x0BADCAFE),
            new Frame(0x80, payload(126, 3), 0x01020304),
            new Frame(0x82, payload(3, 9), null),
            new Frame(0x82, payload(65_535, 4), 0x7A5C3E11),
            new Frame(0x82, payload(65_536, 5), 0xDEADBEEF),
            new Frame(0x88, new byte[] {0x03, (byte) 0xE8}, 0),
    };

    private static byte[] stream(boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame frame : FRAMES) {
            out.writeBytes(wire(frame, masked));
        }
        return out.toByteArray();
    }

    /** Feeds {@code input} cut at {@code cuts} (increasing) and returns what came out. */
    private static byte[] feed(byte[] input, int[] cuts, boolean direct) {
        ClientFrameUnmasker unmasker = new ClientFrameUnmasker();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            Buffer chunk;
            if (direct) {
                ByteBuffer memory = ByteBuffer.allocateDirect(to - from).put(input, from, to - from).flip();
                chunk = Buffers.wrap(MEMORY, memory);
            } else {
                // an offset into a larger array, as a read buffer's slice may have
                byte[] array = new byte[to - from + 5];
                System.arraycopy(input, from, array, 3, to - from);
                chunk = Buffers.wrap(MEMORY, array, 3, to - from);
            }
            Buffer plain = unmasker.unmask(chunk, MEMORY);
            if (plain != null) {
                byte[] bytes = new byte[plain.remaining()];
                plain.get(bytes);
                out.writeBytes(bytes);
            }
            from = to;
        }
        return out.toByteArray();
    }

    @Test
    void unmasksEveryFrameInOneRead() {
        assertArrayEquals(stream(false), feed(stream(true), new int[0], false));
    }

    @Test
    void unmasksInPlaceWhenTheMemoryIsAnArray() {
        byte[] input = wire(FRAMES[2], true);
        Buffer chunk = Buffers.wrap(MEMORY, input);
        assertSame(chunk, new ClientFrameUnmasker().unmask(chunk, MEMORY));
    }

    @Test
    void aStreamCutAtAnyByteComesOutTheSame() {
        // the small frames before the big ones: every cut through their headers and keys
        byte[] input = stream(true);
        byte[] expected = stream(false);
        for (int cut = 0; cut <= 200; cut++) {
            assertArrayEquals(expected, feed(input, new int[] {cut}, false), "cut at " + cut);
        }
        int bigHeader = wire(FRAMES[0], true).length + wire(FRAMES[1], true).length + wire(FRAMES[2], true).length
                + wire(FRAMES[3], true).length + wire(FRAMES[4], true).length + wire(FRAMES[5], true).length
                + wire(FRAMES[6], true).length;
        for (int cut = bigHeader - 1; cut <= bigHeader + 15; cut++) {
            assertArrayEquals(expected, feed(input, new int[] {cut}, false), "cut at " + cut);
        }
    }

    @Test
    void aStreamInRandomPiecesComesOutTheSame() {
        byte[] input = stream(true);
        byte[] expected = stream(false);
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            int[] cuts = random.ints(1 + random.nextInt(60), 0, input.length + 1).sorted().toArray();
            boolean direct = round % 2 == 1;
            assertArrayEquals(expected, feed(input, cuts, direct), "round " + round + (direct ? ", direct" : ""));
        }
    }

    @Test
    void aReadOfAHeaderStartOnlyHandsNothingOn() {
        byte[] input = wire(FRAMES[7], true);
        ClientFrameUnmasker unmasker = new ClientFrameUnmasker();
        assertNull(unmasker.unmask(Buffers.wrap(MEMORY, input, 0, 5), MEMORY));
        Buffer rest = unmasker.unmask(Buffers.wrap(MEMORY, input, 5, input.length - 5), MEMORY);
        byte[] plain = new byte[rest.remaining()];
        rest.get(plain);
        assertArrayEquals(wire(FRAMES[7], false), plain);
    }
}
