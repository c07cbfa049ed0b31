package dev.switchboard.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Small keep-alive HTTP GETs on one selector thread: {@code connections} connections, each sending
 * its next request as soon as the answer to the last one is complete (a body by Content-Length or
 * chunked). Warms up, then measures requests per second and p50/p99 for a fixed time. A response
 * saying {@code Connection: close} ends its connection, and the next request goes on a new one,
 * as a browser's would (Grizzly closes a kept-alive connection after 256 requests); the reconnects
 * are counted.
 */
final class HttpLoad {

    private static final class Client {
        SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        long sentAt;
        boolean waiting;

        Client(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final Selector selector;
    private final List<Client> clients = new ArrayList<>();
    private final byte[] request;
    private final InetSocketAddress address;
    private long reconnects;
    private long[] latencies = new long[1 << 18];
    private int recorded;
    private long answered;
    private long failed;
    private String firstFailure;
    private boolean measuring;

    HttpLoad(URI uri, int connections) throws IOException {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        request = ("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        address = new InetSocketAddress(uri.getHost(), uri.getPort());
        selector = Selector.open();
        for (int i = 0; i < connections; i++) {
            Client client = new Client(null);
            connect(client);
            clients.add(client);
        }
    }

    Map<String, Object> run(double warmup, double seconds) throws IOException {
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long measureTo = measureFrom + (long) (seconds * 1e9);
        for (Client client : clients) {
            send(client, start);
        }
        long answeredBefore = 0;
        long measuredFrom = 0;
        while (true) {
            selector.select(10);
            long now = System.nanoTime();
            if (!measuring && now >= measureFrom) {
                measuring = true;
                answeredBefore = answered;
                measuredFrom = now;
            }
            if (now >= measureTo) {
                break;
            }
            for (SelectionKey key : selector.selectedKeys()) {
                read((Client) key.attachment(), key, now);
            }
            selector.selectedKeys().clear();
            if (!selector.keys().stream().anyMatch(SelectionKey::isValid)) {
                throw new IOException("every connection closed during the load; the first: " + firstFailure);
            }
        }
        double wall = (System.nanoTime() - measuredFrom) / 1e9;
        long measured = answered - answeredBefore;
        long stuck = clients.stream().filter(c -> c.waiting && System.nanoTime() - c.sentAt > 1_000_000_000L).count();
        for (Client client : clients) {
            client.channel.close();
        }
        selector.close();
        long[] sorted = Arrays.copyOf(latencies, recorded);
        Arrays.sort(sorted);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", clients.size());
        result.put("seconds", Figures.round(wall));
        result.put("requestsPerSecond", Math.round(measured / wall));
        result.put("p50Ms", Figures.millis(sorted, 0.50));
        result.put("p99Ms", Figures.millis(sorted, 0.99));
        result.put("failed", failed);
        result.put("waitingOverOneSecond", stuck);
        result.put("reconnects", reconnects);
        if (firstFailure != null) {
            result.put("firstFailure", firstFailure);
        }
        return result;
    }

    private void connect(Client client) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, client);
        client.channel = channel;
    }

    private void send(Client client, long now) throws IOException {
        client.sentAt = now;
        client.waiting = true;
        WsConnection.writeFully(client.channel, ByteBuffer.wrap(request));
    }

    private void read(Client client, SelectionKey key, long now) {
        try {
            if (client.channel.read(client.in) < 0) {
                throw new IOException("closed by the server after " + answered + " answers");
            }
            int complete = responseLength(client.in);
            if (complete > 0) {
                boolean closing = saysClose(client.in);
                client.in.flip().position(complete);
                client.in.compact();
                client.waiting = false;
                answered++;
                if (measuring) {
                    if (recorded == latencies.length) {
                        latencies = Arrays.copyOf(latencies, recorded * 2);
                    }
                    latencies[recorded++] = now - client.sentAt;
                }
                if (closing) {
                    key.cancel();
                    client.channel.close();
                    client.in.clear();
                    reconnects++;
                    connect(client);
                }
                send(client, now);
            }
        } catch (IOException | RuntimeException e) {
            failed++;
            if (firstFailure == null) {
                firstFailure = e.getMessage();
            }
            key.cancel();
        }
    }

    /** Whether the response head at the buffer's start says {@code Connection: close}. */
    private static boolean saysClose(ByteBuffer in) {
        String start = new String(in.array(), 0, Math.min(in.position(), 4096), StandardCharsets.ISO_8859_1)
                .toLowerCase(Locale.ROOT);
        int headEnd = start.indexOf("\r\n\r\n");
        return (headEnd < 0 ? start : start.substring(0, headEnd)).contains("\r\nconnection: close");
    }

    /** The length of the complete response at the buffer's start, 0 while incomplete; only 200 counts. */
    private static int responseLength(ByteBuffer in) throws IOException {
        byte[] a = in.array();
        int end = in.position();
        int headEnd = -1;
        for (int i = 3; i < end; i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                headEnd = i + 1;
                break;
            }
        }
        if (headEnd < 0) {
            return 0;
        }
        String head = new String(a, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        if (!head.startsWith("http/1.1 200")) {
            throw new IOException("answered " + head.lines().findFirst().orElse(""));
        }
        int at = head.indexOf("\r\ncontent-length:");
        if (at >= 0) {
            int from = at + "\r\ncontent-length:".length();
            int length = Integer.parseInt(head.substring(from, head.indexOf('\r', from)).strip());
            return end - headEnd >= length ? headEnd + length : 0;
        }
        // chunked: size lines until the last (0) chunk and its empty trailer
        int p = headEnd;
        while (true) {
            int lineEnd = indexOfCrlf(a, p, end);
            if (lineEnd < 0) {
                return 0;
            }
            int chunk = Integer.parseInt(new String(a, p, lineEnd - p, StandardCharsets.ISO_8859_1).split(";")[0].strip(), 16);
            p = lineEnd + 2 + chunk + 2;
            if (p > end) {
                return 0;
            }
            if (chunk == 0) {
                return p;
            }
        }
    }

    private static int indexOfCrlf(byte[] a, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (a[i] == '\r' && a[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
