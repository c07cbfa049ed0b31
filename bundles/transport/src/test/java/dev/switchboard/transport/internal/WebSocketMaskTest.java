package dev.switchboard.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketMask} against RFC 6455 §5.3 done a byte at a time: every length from 0 to 40
 * (the word loop, its tail, both), payloads split at every point (the key turned on between calls),
 * in place and moved back over a removed key, and keys with every byte set.
 */
class WebSocketMaskTest {

    private static final int[] KEYS = {0x01020304, 0xFFFFFFFF, 0x80000001, 0x7A5C3E11};

    /** Byte {@code i} XOR key byte {@code i % 4}, most significant first. */
    private static byte[] reference(byte[] payload, int key) {
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ (key >>> (24 - 8 * (i % 4))));
        }
        return masked;
    }

    private static byte[] payload(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void masksInPlaceAsTheRfcDoesAtEveryLength() {
        for (int key : KEYS) {
            for (int length = 0; length <= 40; length++) {
                byte[] payload = payload(length, length);
                byte[] bytes = new byte[length + 3];
                System.arraycopy(payload, 0, bytes, 3, length);
                WebSocketMask.apply(bytes, 3, 3, length, key);
                byte[] masked = new byte[length];
                System.arraycopy(bytes, 3, masked, 0, length);
                assertArrayEquals(reference(payload, key), masked, "length " + length + ", key " + key);
            }
        }
    }

    @Test
    void aPayloadSplitAnywhereIsMaskedAsOne() {
        byte[] payload = payload(37, 7);
        for (int key : KEYS) {
            for (int split = 0; split <= payload.length; split++) {
                byte[] bytes = payload.clone();
                int next = WebSocketMask.apply(bytes, 0, 0, split, key);
                WebSocketMask.apply(bytes, split, split, payload.length - split, next);
                assertArrayEquals(reference(payload, key), bytes, "split at " + split);
            }
        }
    }

    @Test
    void movesBackOverARemovedKeyWhileUnmasking() {
        for (int gap : new int[] {1, 4, 7, 8, 9}) {
            byte[] payload = payload(29, gap);
            byte[] bytes = new byte[gap + payload.length];
            System.arraycopy(reference(payload, KEYS[3]), 0, bytes, gap, payload.length);
            WebSocketMask.apply(bytes, gap, 0, payload.length, KEYS[3]);
            byte[] unmasked = new byte[payload.length];
            System.arraycopy(bytes, 0, unmasked, 0, payload.length);
            assertArrayEquals(payload, unmasked, "moved back by " + gap);
        }
    }

    @Test
    void theKeyComesBackTurnedByTheBytesMasked() {
        assertEquals(0x01020304, WebSocketMask.apply(new byte[8], 0, 0, 8, 0x01020304));
        assertEquals(0x02030401, WebSocketMask.apply(new byte[9], 0, 0, 9, 0x01020304));
        assertEquals(0x04010203, WebSocketMask.apply(new byte[3], 0, 0, 3, 0x01020304));
    }
}
