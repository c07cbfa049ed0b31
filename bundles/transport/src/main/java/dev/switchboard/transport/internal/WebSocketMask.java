package dev.switchboard.transport.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * RFC 6455 §5.3 masking, eight bytes at a time: a payload byte {@code i} is XORed with byte
 * {@code i % 4} of the 32-bit key, most significant first. Tyrus masks and unmasks a byte at a time
 * through a volatile index, which on a tunnel carrying tens of MB/s is most of the CPU.
 */
final class WebSocketMask {

    /** In the machine's order: XOR is bytewise, so the words need no byte swap, only the key once. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final boolean SWAP = ByteOrder.nativeOrder() != ByteOrder.BIG_ENDIAN;

    private WebSocketMask() {
    }

    /**
     * XORs {@code length} bytes from {@code from} with {@code key} and writes them at {@code to}
     * ({@code to <= from}: a frame's bytes move back over a key removed before them). Returns the
     * key for the byte after them, so a payload split over several calls is masked as one.
     */
    static int apply(byte[] bytes, int from, int to, int length, int key) {
        long bigEndian = (key & 0xFFFF_FFFFL) << 32 | (key & 0xFFFF_FFFFL);
        long wide = SWAP ? Long.reverseBytes(bigEndian) : bigEndian;
        int done = 0;
        for (; done + Long.BYTES <= length; done += Long.BYTES) {
            LONGS.set(bytes, to + done, (long) LONGS.get(bytes, from + done) ^ wide);
        }
        int rest = key;
        for (; done < length; done++) {
            bytes[to + done] = (byte) (bytes[from + done] ^ (rest >>> 24));
            rest = Integer.rotateLeft(rest, 8);
        }
        return rest;
    }
}
