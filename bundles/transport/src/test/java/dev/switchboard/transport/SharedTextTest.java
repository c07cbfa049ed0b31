package dev.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedTextTest {

    private static byte[] frame(SharedText text) {
        byte[] bytes = new byte[text.frameLength() + 3];
        text.copyFrameTo(bytes, 3);
        return java.util.Arrays.copyOfRange(bytes, 3, bytes.length);
    }

    /** Reads an unmasked text frame's payload back by RFC 6455's rules, checking its header on the way. */
    private static String payload(byte[] frame) {
        ByteBuffer in = ByteBuffer.wrap(frame);
        assertEquals((byte) 0x81, in.get(), "FIN and the text opcode");
        int marker = in.get();
        assertEquals(0, marker & 0x80, "a server frame is unmasked");
        long length = marker == 126 ? in.getShort() & 0xffff : marker == 127 ? in.getLong() : marker;
        assertEquals(in.remaining(), length, "the announced length is the payload's");
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Bad inputs: every length at the edges of the 7-bit, 16-bit and 64-bit length forms, and the empty text. */
    @Test
    void eachLengthFormIsEncodedAtItsEdges() {
        int[] lengths = {0, 1, 125, 126, 127, 65_535, 65_536, 70_000};
        int[] headers = {2, 2, 2, 4, 4, 4, 10, 10};
        for (int i = 0; i < lengths.length; i++) {
            String text = "a".repeat(lengths[i]);
            SharedText shared = SharedText.of(text);
            byte[] frame = frame(shared);
            assertEquals(headers[i] + lengths[i], frame.length, "frame of " + lengths[i] + " bytes");
            assertEquals(lengths[i], shared.payloadLength());
            assertEquals(text, payload(frame));
        }
    }

    /** Bad input: multi-byte characters, where the payload length in bytes differs from the text's in chars. */
    @Test
    void theLengthCountsUtf8Bytes() {
        String text = "déjà vu \uD83D\uDE00 " + "€".repeat(60);
        SharedText shared = SharedText.of(text);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, shared.payloadLength());
        assertEquals(text, payload(frame(shared)));
        assertEquals(text, shared.text());
    }

    @Test
    void theSameBytesEveryTime() {
        SharedText shared = SharedText.of("[\"chat:a\",\"message\",{}]");
        assertArrayEquals(frame(shared), frame(shared));
    }
}
