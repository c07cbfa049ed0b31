package dev.switchboard.transport;

import java.nio.charset.StandardCharsets;

/**
 * A text message to send to many connections, encoded once: its WebSocket frame (unmasked,
 * uncompressed, RFC 6455 §5.2) is made on first use and the same bytes go to every connection
 * that takes them as they are. A connection that compresses encodes the text itself. Immutable.
 */
public final class SharedText {

    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    private final String text;
    private volatile byte[] frame;

    private SharedText(String text) {
        this.text = text;
    }

    public static SharedText of(String text) {
        return new SharedText(text);
    }

    public String text() {
        return text;
    }

    /** The payload's size in UTF-8 bytes. */
    public int payloadLength() {
        byte[] bytes = frame();
        return bytes.length - headerLength(bytes[1] & 0x7f);
    }

    /** The frame's size in bytes, header included. */
    public int frameLength() {
        return frame().length;
    }

    /** Copies the whole frame into {@code target} at {@code offset}. */
    public void copyFrameTo(byte[] target, int offset) {
        byte[] bytes = frame();
        System.arraycopy(bytes, 0, target, offset, bytes.length);
    }

    private byte[] frame() {
        byte[] bytes = frame;
        if (bytes == null) {
            // a race encodes twice, to the same bytes
            bytes = encode(text.getBytes(StandardCharsets.UTF_8));
            frame = bytes;
        }
        return bytes;
    }

    private static byte[] encode(byte[] payload) {
        int length = payload.length;
        int marker = length < LENGTH_16 ? length : length <= 0xffff ? LENGTH_16 : LENGTH_64;
        int header = headerLength(marker);
        byte[] bytes = new byte[header + length];
        bytes[0] = (byte) FIN_TEXT;
        bytes[1] = (byte) marker;
        for (int i = 2; i < header; i++) {
            bytes[i] = (byte) ((long) length >>> (8 * (header - 1 - i)));
        }
        System.arraycopy(payload, 0, bytes, header, length);
        return bytes;
    }

    private static int headerLength(int marker) {
        return marker == LENGTH_64 ? 10 : marker == LENGTH_16 ? 4 : 2;
    }

    @Override
    public String toString() {
        return text;
    }
}
