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
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The skeleton of the benchmarks' own raw servers: one NIO thread on a loopback port, a buffer in
 * and out per peer, writes batched per select round (a peer with something queued is flushed once
 * after every read of the round). Subclasses parse what a peer sent and queue answers.
 */
abstract class LoopbackServer implements Runnable, AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** One connection: bytes read and not yet parsed, bytes queued and not yet written. */
    static class Peer {
        final SocketChannel channel;
        ByteBuffer in;
        ByteBuffer out;
        boolean upgraded;
        /** Close once everything queued is written. */
        boolean closing;

        Peer(SocketChannel channel, int bufferBytes) {
            this.channel = channel;
            this.in = ByteBuffer.allocate(bufferBytes);
            this.out = ByteBuffer.allocate(bufferBytes);
        }
    }

    private final Selector selector;
    private final ServerSocketChannel server;
    private final Set<Peer> dirty = new LinkedHashSet<>();
    private final int bufferBytes;
    private volatile boolean running = true;

    LoopbackServer(int port, int bufferBytes) throws IOException {
        this.bufferBytes = bufferBytes;
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    int port() {
        return server.socket().getLocalPort();
    }

    /** Parses what {@code peer.in} holds (its position is the end of what was read). */
    abstract void read(Peer peer) throws IOException;

    /** The peer is gone. */
    void dropped(Peer peer) {
    }

    @Override
    public void run() {
        try {
            while (running) {
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
                            read(peer);
                        }
                    } catch (IOException | RuntimeException e) {
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
            channel.register(selector, SelectionKey.OP_READ, new Peer(channel, bufferBytes));
        }
    }

    /** Room for {@code bytes} more in the peer's output; the peer is flushed after this round. */
    final ByteBuffer reserve(Peer peer, int bytes) {
        if (peer.out.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(peer.out.capacity() * 2, peer.out.position() + bytes));
            peer.out.flip();
            bigger.put(peer.out);
            peer.out = bigger;
        }
        dirty.add(peer);
        return peer.out;
    }

    final void enqueue(Peer peer, byte[] bytes) {
        reserve(peer, bytes.length).put(bytes);
    }

    /** Answers a WebSocket upgrade whose head is {@code head}, with the accept key of its Sec-WebSocket-Key. */
    final void upgrade(Peer peer, String head) {
        String key = "";
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) {
                key = line.substring(18).trim();
            }
        }
        enqueue(peer, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        peer.upgraded = true;
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

    private void drop(Peer peer) {
        dropped(peer);
        try {
            peer.channel.close();
        } catch (IOException ignored) {
            // already gone
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
