package dev.switchboard.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cheapest fan-out server this driver can talk to, to measure the driver's own ceiling: one
 * NIO thread, a chat message forwarded byte for byte to each subscriber, writes batched per
 * select round. It speaks just enough of seed 002 for the driver (subscribe, message); it is not a
 * server to compare with, only the upper bound of what the driver can observe.
 */
final class RawFanoutServer implements Runnable, AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static final class Peer {
        final SocketChannel channel;
        ByteBuffer in = ByteBuffer.allocate(8192);
        ByteBuffer out = ByteBuffer.allocate(8192);
        boolean upgraded;

        Peer(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final Selector selector;
    private final ServerSocketChannel server;
    private final Map<String, List<Peer>> topics = new HashMap<>();
    private final Set<Peer> dirty = new LinkedHashSet<>();
    private final Thread thread;
    private volatile boolean running = true;

    RawFanoutServer() throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this, "raw-fanout-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.socket().getLocalPort();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (key.isAcceptable()) {
                            accept();
                            continue;
                        }
                        Peer peer = (Peer) key.attachment();
                        if (key.isWritable()) {
                            dirty.add(peer);
                        }
                        if (key.isReadable()) {
                            if (peer.channel.read(peer.in) < 0) {
                                drop(key, peer);
                                continue;
                            }
                            read(peer);
                        }
                    } catch (IOException | RuntimeException e) {
                        drop(key, (Peer) key.attachment());
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
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.register(selector, SelectionKey.OP_READ, new Peer(channel));
        }
    }

    private void drop(SelectionKey key, Peer peer) {
        key.cancel();
        if (peer != null) {
            topics.values().forEach(list -> list.remove(peer));
            try {
                peer.channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private void read(Peer peer) throws IOException {
        byte[] a = peer.in.array();
        int end = peer.in.position();
        int p = 0;
        if (!peer.upgraded) {
            String head = new String(a, 0, end, StandardCharsets.ISO_8859_1);
            int headerEnd = head.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                return;
            }
            String key = "";
            for (String line : head.substring(0, headerEnd).split("\r\n")) {
                if (line.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) {
                    key = line.substring(18).trim();
                }
            }
            enqueue(peer, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            peer.upgraded = true;
            p = headerEnd + 4;
        }
        while (end - p >= 6) {
            int opcode = a[p] & 0x0f;
            int length = a[p + 1] & 0x7f;
            int header = 2;
            if (length == 126) {
                length = ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
                header = 4;
            } else if (length == 127) {
                if (end - p < 14) {
                    break;
                }
                length = (int) ByteBuffer.wrap(a, p + 2, 8).getLong();
                header = 10;
            }
            if (end - p < header + 4 + length) {
                if (header + 4 + length > a.length) {
                    ByteBuffer bigger = ByteBuffer.allocate(header + 4 + length + 8192);
                    bigger.put(a, p, end - p);
                    peer.in = bigger;
                    return;
                }
                break;
            }
            int maskAt = p + header;
            byte[] payload = new byte[length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) (a[maskAt + 4 + i] ^ a[maskAt + (i & 3)]);
            }
            p = maskAt + 4 + length;
            if (opcode == 1) {
                text(peer, payload);
            } else if (opcode == 8) {
                throw new IOException("closed by the client");
            }
        }
        System.arraycopy(a, p, a, 0, end - p);
        peer.in.position(end - p);
    }

    /** {@code ["topic","event",...]}: the driver never escapes quotes in topics or events. */
    private void text(Peer peer, byte[] payload) {
        String head = new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.UTF_8);
        int topicEnd = head.indexOf('"', 2);
        String topic = head.substring(2, topicEnd);
        int eventStart = head.indexOf('"', topicEnd + 1) + 1;
        String event = head.substring(eventStart, head.indexOf('"', eventStart));
        if ("subscribe".equals(event)) {
            topics.computeIfAbsent(topic, t -> new ArrayList<>()).add(peer);
            enqueue(peer, frame(("[\"" + topic + "\",\"subscribed\",{}]").getBytes(StandardCharsets.UTF_8)));
        } else if ("message".equals(event)) {
            byte[] frame = frame(payload);
            for (Peer subscriber : topics.getOrDefault(topic, List.of())) {
                enqueue(subscriber, frame);
            }
        }
    }

    private static byte[] frame(byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocate(header + length).put((byte) 0x81);
        if (length < 126) {
            frame.put((byte) length);
        } else if (length < 65536) {
            frame.put((byte) 126).putShort((short) length);
        } else {
            frame.put((byte) 127).putLong(length);
        }
        return frame.put(payload).array();
    }

    private void enqueue(Peer peer, byte[] bytes) {
        if (peer.out.remaining() < bytes.length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(peer.out.capacity() * 2, peer.out.position() + bytes.length));
            peer.out.flip();
            bigger.put(peer.out);
            peer.out = bigger;
        }
        peer.out.put(bytes);
        dirty.add(peer);
    }

    private void flush(Peer peer) {
        try {
            peer.out.flip();
            peer.channel.write(peer.out);
            peer.out.compact();
            SelectionKey key = peer.channel.keyFor(selector);
            if (key != null && key.isValid()) {
                key.interestOps(peer.out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            topics.values().forEach(list -> list.remove(peer));
        }
    }

    /** The Sec-WebSocket-Accept answer to a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
    static String acceptKey(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        server.close();
    }
}
