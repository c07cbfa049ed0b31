package dev.switchboard.benchmarks;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The local service behind the tunnels: on one NIO thread, a WebSocket echo (every data frame sent
 * back as it came, unmasked; pings answered; a close echoed) on any path, and a tiny keep-alive
 * HTTP answer ({@code 200 ok}) to any other request. It costs as little per message as a JVM
 * service can, so the figures show the hops in front of it. Prints
 * {@code {"ready":true,"port":N,"pid":P}} once it listens.
 *
 * <p>Arguments: {@code [--port N]} (default: a free one).
 */
public final class EchoService extends LoopbackServer {

    private static final byte[] OK = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
            .getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private EchoService(int port) throws IOException {
        super(port, 8192); // grows for a large frame: idle connections stay small
    }

    public static void main(String[] args) throws IOException {
        EchoService service = new EchoService(Integer.parseInt(Figures.options(args).getOrDefault("port", "0")));
        System.out.printf(Locale.ROOT, "{\"ready\":true,\"port\":%d,\"pid\":%d}%n", service.port(),
                ProcessHandle.current().pid());
        System.out.flush();
        service.run();
    }

    @Override
    void read(Peer peer) {
        if (!peer.upgraded) {
            requests(peer);
        }
        if (peer.upgraded) {
            frames(peer);
        }
    }

    /** Answers each complete request head (no request body expected), until one is an upgrade. */
    private void requests(Peer peer) {
        byte[] a = peer.in.array();
        int end = peer.in.position();
        int p = 0;
        while (!peer.upgraded) {
            int headEnd = headEnd(a, p, end);
            if (headEnd < 0) {
                break;
            }
            String head = new String(a, p, headEnd - p, StandardCharsets.ISO_8859_1);
            if ("websocket".equalsIgnoreCase(header(head, "upgrade"))) {
                upgrade(peer, head);
            } else {
                enqueue(peer, OK);
            }
            p = headEnd;
        }
        System.arraycopy(a, p, a, 0, end - p);
        peer.in.position(end - p);
    }

    private static int headEnd(byte[] a, int from, int to) {
        for (int i = from + 3; i < to; i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    /** Echoes each complete client frame, unmasked. */
    private void frames(Peer peer) {
        byte[] a = peer.in.array();
        int end = peer.in.position();
        int p = 0;
        for (long header; (header = WsConnection.frameHeader(a, p, end)) >= 0; ) {
            int length = (int) header;
            int size = (int) (header >>> 32) + 4 + length;
            if (end - p < size) {
                if (size > a.length) {
                    ByteBuffer bigger = ByteBuffer.allocate(size + 8192);
                    bigger.put(a, p, end - p);
                    peer.in = bigger;
                    return;
                }
                break;
            }
            int opcode = a[p] & 0x0f;
            peer.closing |= opcode == 8;
            echo(peer, a, p, (int) (header >>> 32), length, opcode == 9 ? (byte) 0x8A : a[p]);
            p += size;
        }
        System.arraycopy(a, p, a, 0, end - p);
        peer.in.position(end - p);
    }

    /** Appends the frame at {@code a[p]} unmasked to the peer's output, eight bytes at a time. */
    private void echo(Peer peer, byte[] a, int p, int header, int length, byte first) {
        ByteBuffer out = reserve(peer, header + length);
        out.put(first).put((byte) (a[p + 1] & 0x7f)).put(a, p + 2, header - 2);
        int maskAt = p + header;
        int from = maskAt + 4;
        byte[] o = out.array();
        int to = out.position();
        long mask = 0;
        for (int k = 0; k < 8; k++) {
            mask |= (a[maskAt + (k & 3)] & 0xffL) << (8 * k);
        }
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            LONGS.set(o, to + i, (long) LONGS.get(a, from + i) ^ mask);
        }
        for (; i < length; i++) {
            o[to + i] = (byte) (a[from + i] ^ a[maskAt + (i & 3)]);
        }
        out.position(to + length);
    }
}
