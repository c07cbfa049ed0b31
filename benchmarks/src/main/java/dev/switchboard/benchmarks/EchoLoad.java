package dev.switchboard.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop WebSocket echo load on one selector thread: {@code connections} connections, each
 * keeping {@code window} binary messages of {@code size} bytes in flight; every echo is timed from
 * the moment its message was queued. Warms up, then measures for a fixed time: echoes per second,
 * payload MB/s one way, p50/p99, and the CPU the measured processes spent per GB they moved (both
 * directions, frame headers included).
 */
final class EchoLoad {

    /** One connection: the messages it has in flight (their send times, oldest first) and its parse state. */
    private static final class Flow {
        final WsConnection connection;
        final ByteBuffer out;
        final long[] sentAt;
        int oldest;
        int inFlight;
        long skip = -1; // payload bytes of the current frame still to read; -1 between frames
        boolean data;
        boolean closed;

        Flow(WsConnection connection, int window, int frameBytes) {
            this.connection = connection;
            this.out = ByteBuffer.allocate(window * frameBytes);
            this.sentAt = new long[window];
        }
    }

    private final ByteBuffer frame;
    private final int size;
    private final int window;
    private final List<Flow> flows = new ArrayList<>();
    private final Selector selector;
    private long[] latencies = new long[1 << 20];
    private int recorded;
    private long echoes;
    private long badFrames;
    private boolean measuring;
    private boolean sending = true;

    EchoLoad(URI uri, int connections, int window, int size) throws IOException {
        byte[] payload = new byte[size];
        ThreadLocalRandom.current().nextBytes(payload);
        this.frame = WsConnection.frame(2, payload);
        this.size = size;
        this.window = window;
        this.selector = Selector.open();
        for (int i = 0; i < connections; i++) {
            Flow flow = new Flow(WsConnection.open(uri), window, frame.remaining());
            flow.connection.channel.configureBlocking(false);
            flow.connection.channel.register(selector, SelectionKey.OP_READ, flow);
            flows.add(flow);
        }
    }

    /** Runs the load: {@code warmup} seconds unmeasured, then {@code seconds} measured; returns the figures. */
    Map<String, Object> run(double warmup, double seconds, ProcessMeter meter) throws IOException {
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long measureTo = measureFrom + (long) (seconds * 1e9);
        for (Flow flow : flows) {
            while (flow.inFlight < window) {
                queue(flow, start);
            }
            flush(flow);
        }
        double cpuBefore = 0;
        long echoesBefore = 0;
        long measuredFrom = 0;
        long drainUntil = Long.MAX_VALUE;
        while (true) {
            selector.select(10);
            long now = System.nanoTime();
            if (!measuring && sending && now >= measureFrom) {
                measuring = true;
                cpuBefore = meter.cpuSeconds();
                echoesBefore = echoes;
                measuredFrom = System.nanoTime();
            }
            if (measuring && now >= measureTo) {
                break;
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Flow flow = (Flow) key.attachment();
                if (key.isReadable()) {
                    read(flow, now);
                }
                flush(flow);
            }
            selector.selectedKeys().clear();
            if (flows.stream().allMatch(f -> f.closed)) {
                throw new IOException("every connection closed during the load");
            }
        }
        long measuredTo = System.nanoTime();
        double cpu = meter.cpuSeconds() - cpuBefore;
        long measured = echoes - echoesBefore;
        measuring = false;
        sending = false;
        drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (flows.stream().anyMatch(f -> f.inFlight > 0 && !f.closed) && System.nanoTime() < drainUntil) {
            selector.select(10);
            for (SelectionKey key : selector.selectedKeys()) {
                Flow flow = (Flow) key.attachment();
                if (key.isReadable()) {
                    read(flow, System.nanoTime());
                }
                flush(flow);
            }
            selector.selectedKeys().clear();
        }
        long lost = flows.stream().mapToLong(f -> f.inFlight).sum();
        close();

        double wall = (measuredTo - measuredFrom) / 1e9;
        long[] sorted = Arrays.copyOf(latencies, recorded);
        Arrays.sort(sorted);
        int serverFrame = (size < 126 ? 2 : size < 65536 ? 4 : 10) + size;
        double gigabytes = measured * (double) (frame.remaining() + serverFrame) / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", flows.size());
        result.put("window", window);
        result.put("size", size);
        result.put("seconds", Figures.round(wall));
        result.put("messagesPerSecond", Math.round(measured / wall));
        result.put("mbPerSecond", Figures.round(measured * (double) size / 1e6 / wall));
        result.put("p50Ms", Figures.millis(sorted, 0.50));
        result.put("p99Ms", Figures.millis(sorted, 0.99));
        if (!meter.isEmpty()) {
            result.put("cpuSeconds", Figures.round(cpu));
            result.put("cpuSecondsPerGB", Figures.round(cpu / gigabytes));
        }
        result.put("unanswered", lost);
        result.put("badFrames", badFrames);
        return result;
    }

    private void queue(Flow flow, long now) {
        flow.sentAt[(flow.oldest + flow.inFlight) % window] = now;
        flow.inFlight++;
        flow.out.put(frame.duplicate());
    }

    private void flush(Flow flow) {
        if (flow.closed) {
            return;
        }
        SelectionKey key = flow.connection.channel.keyFor(selector);
        try {
            flow.out.flip();
            flow.connection.channel.write(flow.out);
            flow.out.compact();
            key.interestOps(flow.out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        } catch (IOException e) {
            flow.closed = true;
            key.cancel();
        }
    }

    /** Reads what arrived and counts each complete echo, skipping payloads without copying them. */
    private void read(Flow flow, long now) {
        ByteBuffer in = flow.connection.in;
        try {
            if (flow.connection.channel.read(in) < 0) {
                flow.closed = true;
            }
        } catch (IOException e) {
            flow.closed = true;
        }
        in.flip();
        while (true) {
            if (flow.skip >= 0) {
                int k = (int) Math.min(flow.skip, in.remaining());
                in.position(in.position() + k);
                flow.skip -= k;
                if (flow.skip > 0) {
                    break;
                }
                flow.skip = -1;
                if (flow.data) {
                    echoed(flow, now);
                }
                continue;
            }
            int p = in.position();
            long frame = WsConnection.frameHeader(in.array(), p, in.limit());
            if (frame < 0) {
                break;
            }
            int opcode = in.get(p) & 0x0f;
            long length = (int) frame;
            int header = (int) (frame >>> 32);
            in.position(p + header);
            flow.data = opcode == 1 || opcode == 2 || opcode == 0;
            if (flow.data && length != size) {
                badFrames++;
            }
            if (opcode == 8) {
                flow.closed = true;
            }
            flow.skip = length;
        }
        in.compact();
        if (flow.closed) {
            flow.connection.channel.keyFor(selector).cancel();
        }
    }

    private void echoed(Flow flow, long now) {
        long sent = flow.sentAt[flow.oldest];
        flow.oldest = (flow.oldest + 1) % window;
        flow.inFlight--;
        if (measuring) {
            echoes++;
            if (recorded == latencies.length) {
                latencies = Arrays.copyOf(latencies, recorded * 2);
            }
            latencies[recorded++] = now - sent;
        } else if (sending) {
            echoes++;
        }
        if (sending) {
            queue(flow, now);
        }
    }

    private void close() throws IOException {
        for (Flow flow : flows) {
            flow.connection.close();
        }
        selector.close();
    }
}
