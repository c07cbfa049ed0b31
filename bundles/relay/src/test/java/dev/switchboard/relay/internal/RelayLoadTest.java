package dev.switchboard.relay.internal;

import static dev.switchboard.relay.internal.RelayFixture.readHead;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Many WebSockets and big bodies through the relay. */
class RelayLoadTest {

    /** Bytes each way of the big-body test; the relay keeps at most a window per request in flight. */
    static final long BIG = Long.getLong("relay.test.bigBody", 1L << 30);

    private final RelayFixture relay;

    RelayLoadTest() throws Exception {
        relay = new RelayFixture();
    }

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void aThousandConcurrentWebSocketsEcho() throws Exception {
        List<Socket> browsers = new ArrayList<>();
        try {
            // opened a hundred at a time (a burst of a thousand upgrades at once is a load test of its own)
            for (int batch = 0; batch < 10; batch++) {
                List<Socket> opening = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort());
                    socket.setSoTimeout(30_000);
                    socket.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: app.localhost\r\n"
                            + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(ISO_8859_1));
                    opening.add(socket);
                    browsers.add(socket);
                }
                for (Socket socket : opening) {
                    String head = readHead(socket.getInputStream());
                    assertTrue(head.startsWith("HTTP/1.1 101"), head);
                }
            }
            // the browser may read its 101 a moment before the relay has counted that splice
            RelayFixture.await("a thousand relayed WebSockets open",
                    () -> relay.server.server().tunnels().get("app").webSockets.size() == 1000);
            for (int i = 0; i < browsers.size(); i++) {
                writeText(browsers.get(i).getOutputStream(), "message " + i);
            }
            for (int i = 0; i < browsers.size(); i++) {
                assertEquals("message " + i, readText(browsers.get(i).getInputStream()));
            }
        } finally {
            for (Socket socket : browsers) {
                socket.close();
            }
        }
        RelayFixture.await("every relayed WebSocket ends",
                () -> relay.server.server().tunnels().get("app").webSockets.isEmpty());
    }

    /** 1 GiB ({@code -Drelay.test.bigBody=N} for less) up, then down; the heap never grows by 64 MiB. */
    @Test
    @Tag("long")
    void aBigBodyGoesEachWayInBoundedMemory() throws Exception {
        // the service reads a whole upload before it answers, as an HTTP/1.1 client expects
        relay.service.addHttp("/upload", (request, response) -> {
            CRC32 crc = new CRC32();
            long bytes = 0;
            byte[] buffer = new byte[65_536];
            try (InputStream in = request.body()) {
                for (int n; (n = in.read(buffer)) > 0; bytes += n) {
                    crc.update(buffer, 0, n);
                }
            }
            response.send(200, "text/plain", (bytes + " " + crc.getValue()).getBytes(ISO_8859_1));
        });
        relay.service.addHttp("/download", (request, response) -> {
            response.status(200);
            response.header("Content-Length", Long.toString(BIG));
            byte[] chunk = new byte[65_536];
            try (OutputStream out = response.body()) {
                for (long sent = 0; sent < BIG; sent += chunk.length) {
                    int n = (int) Math.min(chunk.length, BIG - sent);
                    Generated.fill(chunk, sent, n);
                    out.write(chunk, 0, n);
                }
            }
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + relay.relayPort();
        long crc = Generated.crc(BIG);
        HeapPeak heap = new HeapPeak();
        try {
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(base + "/upload"))
                    .POST(Generated.body(BIG)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(BIG + " " + crc, upload.body());
            HttpResponse<long[]> download = http.send(HttpRequest.newBuilder(URI.create(base + "/download")).build(),
                    info -> HttpResponse.BodySubscribers.fromSubscriber(new Checked(), Checked::result));
            assertArrayEquals(new long[] {BIG, crc}, download.body());
        } finally {
            heap.stop();
        }
        assertTrue(heap.growth() < 64L << 20, "heap grew by " + (heap.growth() >> 20) + " MiB");
    }

    @Test
    @Tag("long")
    void anIdleWebSocketStaysOpenFor90SecondsWhileBothEndsPing() throws Exception {
        // the browser pings every 10 s, the service every 30 s (its default); nothing else is sent
        RelayFixture.Browser browser = relay.browser(true, java.time.Duration.ofSeconds(10));
        browser.connection.sendText("before");
        assertEquals("before", browser.next());
        Thread.sleep(90_000); // the idle time is what is tested: nothing to await
        assertEquals(-1, browser.closeCode);
        browser.connection.sendText("after");
        assertEquals("after", browser.next());
        assertEquals(1, relay.server.server().tunnels().get("app").webSockets.size());
    }

    // --- WebSocket frames by hand -------------------------------------------------------------------

    private static void writeText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(ISO_8859_1);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        byte[] mask = {1, 2, 3, 4};
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(frame);
    }

    private static String readText(InputStream in) throws IOException {
        int first = in.read();
        int length = in.read() & 0x7F;
        assertEquals(0x81, first);
        return new String(in.readNBytes(length), ISO_8859_1);
    }

    // --- a body generated and checked on the fly ------------------------------------------------------

    /**
     * {@code total} pseudo-random bytes, made as they are read. Sent through the JDK's own
     * input-stream publisher: a hand-made one must serialise {@code request} calls from the client's
     * threads (one that did not sent a chunk twice and skipped one: right length, wrong checksum).
     */
    private static final class Generated extends InputStream {
        private final long total;
        private long position;

        Generated(long total) {
            this.total = total;
        }

        static HttpRequest.BodyPublisher body(long total) {
            return HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(total)), total);
        }

        static byte at(long index) {
            return (byte) (index * 31 + (index >>> 13));
        }

        static long crc(long length) {
            CRC32 crc = new CRC32();
            byte[] chunk = new byte[65_536];
            for (long done = 0; done < length; done += chunk.length) {
                int n = (int) Math.min(chunk.length, length - done);
                fill(chunk, done, n);
                crc.update(chunk, 0, n);
            }
            return crc.getValue();
        }

        static void fill(byte[] chunk, long offset, int n) {
            fill(chunk, 0, offset, n);
        }

        static void fill(byte[] target, int from, long offset, int n) {
            for (int i = 0; i < n; i++) {
                target[from + i] = at(offset + i);
            }
        }

        @Override
        public int read() {
            return position < total ? at(position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position >= total) {
                return -1;
            }
            int n = (int) Math.min(length, total - position);
            fill(target, offset, position, n);
            position += n;
            return n;
        }
    }

    /** Counts and checksums the response body as it streams in. */
    private static final class Checked implements Flow.Subscriber<List<ByteBuffer>> {
        private final CRC32 crc = new CRC32();
        private long bytes;
        private Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                bytes += buffer.remaining();
                crc.update(buffer);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable error) {
        }

        @Override
        public void onComplete() {
        }

        long[] result() {
            return new long[] {bytes, crc.getValue()};
        }
    }

    /** The largest heap in use (after a GC) while it runs, above where it started. */
    private static final class HeapPeak {
        private final long baseline = used();
        private volatile long peak;
        private final Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak = Math.max(peak, used());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-heap-peak");

        HeapPeak() {
            sampler.start();
        }

        void stop() throws InterruptedException {
            sampler.interrupt();
            sampler.join();
        }

        long growth() {
            return peak - baseline;
        }

        private static long used() {
            System.gc();
            Runtime runtime = Runtime.getRuntime();
            return runtime.totalMemory() - runtime.freeMemory();
        }
    }
}
