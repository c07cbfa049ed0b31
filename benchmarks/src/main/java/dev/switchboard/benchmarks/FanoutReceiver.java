package dev.switchboard.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One selector thread reading many subscriber connections. For each {@code message} frame it
 * parses {@code "seq"} and {@code "t"} straight from the bytes and records the latency
 * ({@code System.nanoTime()} now minus {@code t}, both taken in this process); it answers pings
 * and counts {@code subscribed} replies. Nothing is allocated per frame.
 */
final class FanoutReceiver implements Runnable {

    /** A broadcast chat message; a history snapshot ({@code "messages":[{"seq":…}]}) does not match. */
    private static final byte[] SEQ = "\"message\",{\"seq\":".getBytes();
    private static final byte[] T = "\"t\":".getBytes();
    private static final byte[] SUBSCRIBED = "\"subscribed\"".getBytes();

    private final Selector selector;
    private final Queue<WsConnection> pending = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Deliveries seen; read by the publisher for its window. */
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong subscribed = new AtomicLong();
    volatile long lastDeliveryNanos;
    long outOfOrder;
    private final long origin;
    private long[] latencies = new long[0];
    private int recorded;
    private int cursor;

    /** @param origin the driver's time origin: frames carry {@code t} as nanoseconds since it */
    FanoutReceiver(int index, long origin) throws IOException {
        this.origin = origin;
        selector = Selector.open();
        thread = new Thread(this, "fanout-receiver-" + index);
        thread.setDaemon(true);
        thread.start();
    }

    void add(WsConnection connection) {
        pending.add(connection);
        selector.wakeup();
    }

    /** Starts a measurement: room for {@code expected} latencies; call while no traffic flows. */
    void reset(int expected) {
        latencies = new long[expected];
        recorded = 0;
        outOfOrder = 0;
        delivered.set(0);
    }

    long[] latencies() {
        return java.util.Arrays.copyOf(latencies, recorded);
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select();
                for (WsConnection c; (c = pending.poll()) != null; ) {
                    try {
                        c.channel.configureBlocking(false);
                        c.channel.register(selector, SelectionKey.OP_READ, c);
                        parse(c);
                    } catch (ClosedChannelException e) {
                        c.closed = true;
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    WsConnection c = (WsConnection) key.attachment();
                    try {
                        if (c.channel.read(c.in) < 0) {
                            c.closed = true;
                            key.cancel();
                            continue;
                        }
                        parse(c);
                    } catch (IOException e) {
                        c.closed = true;
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            selector.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void parse(WsConnection c) throws IOException {
        ByteBuffer in = c.in;
        byte[] a = in.array();
        int end = in.position();
        int p = 0;
        for (long frame; (frame = WsConnection.frameHeader(a, p, end)) >= 0; ) {
            int opcode = a[p] & 0x0f;
            int length = (int) frame;
            int header = (int) (frame >>> 32);
            if (end - p < header + length) {
                if (header + length > a.length) {
                    ByteBuffer bigger = ByteBuffer.allocate(Math.max(a.length * 2, header + length));
                    bigger.put(a, p, end - p);
                    c.in = bigger;
                    return;
                }
                break;
            }
            int start = p + header;
            switch (opcode) {
                case 1 -> text(c, a, start, start + length);
                case 8 -> {
                    c.closeCode = length >= 2 ? ((a[start] & 0xff) << 8) | (a[start + 1] & 0xff) : 1005;
                    c.closed = true;
                }
                case 9 -> {
                    byte[] data = java.util.Arrays.copyOfRange(a, start, start + length);
                    c.write(WsConnection.frame(0xA, data));
                }
                default -> { }
            }
            p = start + length;
        }
        System.arraycopy(a, p, a, 0, end - p);
        in.position(end - p);
    }

    private void text(WsConnection c, byte[] a, int from, int to) {
        int seqAt = indexOf(a, from, to, SEQ);
        if (seqAt < 0) {
            if (indexOf(a, from, to, SUBSCRIBED) >= 0) {
                subscribed.incrementAndGet();
            }
            return;
        }
        long now = System.nanoTime();
        long seq = number(a, seqAt + SEQ.length, to);
        int tAt = indexOf(a, cursor, to, T);
        if (tAt < 0) {
            return;
        }
        long sent = number(a, tAt + T.length, to);
        if (seq < c.lastSeq) {
            outOfOrder++;
        }
        c.lastSeq = seq;
        if (recorded < latencies.length) {
            latencies[recorded++] = now - origin - sent;
        }
        lastDeliveryNanos = now;
        delivered.lazySet(delivered.get() + 1);
    }

    /** Parses a JSON integer at {@code i}; leaves {@link #cursor} after it. */
    private long number(byte[] a, int i, int to) {
        boolean negative = i < to && a[i] == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        while (i < to && a[i] >= '0' && a[i] <= '9') {
            value = value * 10 + (a[i++] - '0');
        }
        cursor = i;
        return negative ? -value : value;
    }

    private static int indexOf(byte[] a, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
