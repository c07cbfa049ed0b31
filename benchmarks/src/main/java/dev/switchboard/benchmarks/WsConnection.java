package dev.switchboard.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare WebSocket client connection for the load driver: a blocking handshake, then masked text
 * frames out and raw frames in, parsed by {@link FanoutReceiver} without building strings, so that
 * the driver costs far less per frame than the servers it measures.
 */
final class WsConnection {

    final SocketChannel channel;
    /** Bytes read and not yet parsed; starts small, grows for a large frame. */
    ByteBuffer in = ByteBuffer.allocate(4096);
    /** Latency bookkeeping of a subscriber: the last sequence number seen, for reorder checks. */
    long lastSeq = -1;
    volatile boolean closed;
    volatile int closeCode;

    private WsConnection(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects and upgrades; bytes after the 101 response stay in {@link #in}. */
    static WsConnection open(URI uri) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
        WsConnection connection = new WsConnection(channel);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        writeFully(channel, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer in = connection.in;
        while (true) {
            if (channel.read(in) < 0) {
                throw new IOException("closed during the handshake");
            }
            int end = headerEnd(in);
            if (end >= 0) {
                String status = new String(in.array(), 0, Math.min(end, 12), StandardCharsets.US_ASCII);
                if (!status.startsWith("HTTP/1.1 101")) {
                    throw new IOException("upgrade refused: " + new String(in.array(), 0, end, StandardCharsets.US_ASCII));
                }
                in.flip();
                in.position(end);
                in.compact();
                return connection;
            }
            if (!in.hasRemaining()) {
                throw new IOException("handshake response too large");
            }
        }
    }

    private static int headerEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 3; i < in.position(); i++) {
            if (a[i - 3] == '\r' && a[i - 2] == '\n' && a[i - 1] == '\r' && a[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * The header of the frame at {@code a[p]}, whose bytes end at {@code end}: its size (2, 4 or 10
     * bytes, a mask not counted) in the high half, the payload's length in the low half; -1 while
     * the header is incomplete.
     */
    static long frameHeader(byte[] a, int p, int end) {
        if (end - p < 2) {
            return -1;
        }
        int length = a[p + 1] & 0x7f;
        if (length == 126) {
            return end - p < 4 ? -1 : 4L << 32 | ((a[p + 2] & 0xff) << 8 | a[p + 3] & 0xff);
        }
        if (length == 127) {
            return end - p < 10 ? -1 : 10L << 32 | (int) ByteBuffer.wrap(a, p + 2, 8).getLong();
        }
        return 2L << 32 | length;
    }

    /** A client-to-server frame: masked, as RFC 6455 requires. */
    static ByteBuffer frame(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocate(header + 4 + length);
        frame.put((byte) (0x80 | opcode));
        if (length < 126) {
            frame.put((byte) (0x80 | length));
        } else if (length < 65536) {
            frame.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(length);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        frame.putInt(mask);
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[i] ^ (mask >>> (24 - 8 * (i & 3)))));
        }
        return frame.flip();
    }

    void sendText(String text) throws IOException {
        write(frame(1, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes one whole frame: a publisher's messages and a receiver's pongs never interleave. */
    synchronized void write(ByteBuffer frame) throws IOException {
        writeFully(channel, frame);
    }

    /** Writes a whole buffer; spins on a non-blocking channel, which only ever happens for tiny pongs. */
    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing on the way out
        }
    }
}
