package dev.switchboard.proxy.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A browser's WebSocket on a plain socket (RFC 6455 client side, small frames): cheap enough for a
 * thousand at once, and able to stop reading.
 */
final class RawBrowser implements AutoCloseable {

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawBrowser(int port, String path) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: raw.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        String answer = head.toString(StandardCharsets.ISO_8859_1);
        if (!answer.startsWith("HTTP/1.1 101")) {
            throw new IOException("no 101: " + answer);
        }
    }

    /** Sends one masked text frame (under 126 bytes). */
    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
    }

    /** The next frame's opcode and payload, as "opcode:text" for text and close frames, "opcode:length" else. */
    String readFrame() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        int opcode = first & 0x0f;
        if (opcode == 1) {
            return "1:" + new String(payload, StandardCharsets.UTF_8);
        }
        if (opcode == 8) {
            int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            return "8:" + code + " " + new String(payload, Math.min(2, payload.length),
                    Math.max(0, payload.length - 2), StandardCharsets.UTF_8);
        }
        return opcode + ":" + length;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
