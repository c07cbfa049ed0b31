package dev.switchboard.benchmarks;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
public final class EchoService implements Runnable {

    private static final byte[] OK = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
            .getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final class Peer {
        final SocketChannel channel;
        ByteBuffer in = ByteBuffer.allocate(128 * 1024);
        ByteBuffer out = ByteBuffer.allocate(128 * 1024);
        boolean upgraded;
        boolean closing;

        Peer(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final Selector selector;
    private final ServerSocketChannel server;
    private final List<Peer> dirty = new ArrayList<>();

    private EchoService(int port) throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(Figures.options(args).getOrDefault("port", "0"));
        EchoService service = new EchoService(port);
        System.out.printf(Locale.ROOT, "{\"ready\":true,\"port\":%d,\"pid\":%d}%n",
                service.server.socket().getLocalPort(), ProcessHandle.current().pid());
        System.out.flush();
        service.run();
    }

    @Override
    public void run() {
        try {
            while (true) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        accept();
                        continue;
                    }
                    Peer peer = (Peer) key.attachment();
                    try {
                        if (key.isWritable()) {
                            dirty.add(peer);
                        }
                        if (key.isReadable()) {
                            if (peer.channel.read(peer.in) < 0) {
                                drop(peer);
                                continue;
                            }
                            if (peer.upgraded ? frames(peer) : requests(peer)) {
                                dirty.add(peer);
                            }
                        }
                    } catch (IOException e) {
                        drop(peer);
                    }
                }
                selector.selectedKeys().clear();
                for (Peer peer : dirty) {
                    flush(peer);
                }
                dirty.clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void accept() throws IOException {
        for (SocketChannel channel; (channel = server.accept()) != null; ) {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.register(selector, SelectionKey.OP_READ, new Peer(channel));
        }
    }

    /** Answers each complete request head (no request body expected); returns whether it answered. */
    private boolean requests(Peer peer) {
        byte[] a = peer.in.array();
        int end = peer.in.position();
        int p = 0;
        boolean answered = false;
        while (!peer.upgraded) {
            int headEnd = headEnd(a, p, end);
            if (headEnd < 0) {
                break;
            }
            String head = new String(a, p, headEnd - p, StandardCharsets.ISO_8859_1);
            String key = header(head, "sec-websocket-key");
            if (key != null && "websocket".equalsIgnoreCase(header(head, "upgrade"))) {
                enqueue(peer, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + RawFanoutServer.acceptKey(key) + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                peer.upgraded = true;
            } else {
                enqueue(peer, OK);
            }
            answered = true;
            p = headEnd;
        }
        System.arraycopy(a, p, a, 0, end - p);
        peer.in.position(end - p);
        return peer.upgraded ? frames(peer) || answered : answered;
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

    /** Echoes each complete client frame, unmasked; returns whether it echoed any. */
    private boolean frames(Peer peer) {
        byte[] a = peer.in.array();
        int end = peer.in.position();
        int p = 0;
        boolean echoed = false;
        while (end - p >= 2) {
            int length = a[p + 1] & 0x7f;
            int header = 2;
            if (length == 126) {
                if (end - p < 4) {
                    break;
                }
                length = ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
                header = 4;
            } else if (length == 127) {
                if (end - p < 10) {
                    break;
                }
                length = (int) ByteBuffer.wrap(a, p + 2, 8).getLong();
                header = 10;
            }
            int size = header + 4 + length;
            if (end - p < size) {
                if (size > a.length) {
                    ByteBuffer bigger = ByteBuffer.allocate(size + 8192);
                    bigger.put(a, p, end - p);
                    peer.in = bigger;
                    return echoed;
                }
                break;
            }
            int opcode = a[p] & 0x0f;
            if (opcode == 8) {
                peer.closing = true;
            }
            echo(peer, a, p, header, length, opcode == 9 ? (byte) 0x8A : a[p]);
            echoed = true;
            p += size;
        }
        System.arraycopy(a, p, a, 0, end - p);
        peer.in.position(end - p);
        return echoed;
    }

    /** Appends the frame at {@code a[p]} unmasked to the peer's output, eight bytes at a time. */
    private void echo(Peer peer, byte[] a, int p, int header, int length, byte first) {
        reserve(peer, header + length);
        ByteBuffer out = peer.out;
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

    private void enqueue(Peer peer, byte[] bytes) {
        reserve(peer, bytes.length);
        peer.out.put(bytes);
    }

    private static void reserve(Peer peer, int bytes) {
        if (peer.out.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(peer.out.capacity() * 2, peer.out.position() + bytes));
            peer.out.flip();
            bigger.put(peer.out);
            peer.out = bigger;
        }
    }

    private void flush(Peer peer) {
        try {
            peer.out.flip();
            peer.channel.write(peer.out);
            peer.out.compact();
            SelectionKey key = peer.channel.keyFor(selector);
            if (peer.closing && peer.out.position() == 0) {
                drop(peer);
            } else if (key != null && key.isValid()) {
                key.interestOps(peer.out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            drop(peer);
        }
    }

    private static void drop(Peer peer) {
        try {
            peer.channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
