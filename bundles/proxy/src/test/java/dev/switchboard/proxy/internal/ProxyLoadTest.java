package dev.switchboard.proxy.internal;

import static dev.switchboard.proxy.internal.TunnelTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.WebSocketConnection;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Many streams on one tunnel: a stalled reader, a thousand WebSockets, a gigabyte each way. */
class ProxyLoadTest {

    private ProxyFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * Bad input: a browser that stops reading a service that writes as fast as it can. Its stream
     * holds at most a window; another stream on the same tunnel echoes 200 messages meanwhile.
     */
    @Test
    void aBrowserThatStopsReadingHoldsBackOnlyItsOwnStreamInBoundedMemory() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        try (RawBrowser stalled = new RawBrowser(fixture.browserPort(), "/flood")) {
            stalled.sendText("go");
            // the service writes until every buffer on the way is full, then waits: this browser reads nothing
            long[] last = {-1};
            await(() -> {
                long now = fixture.flooded.get();
                boolean settled = now > 0 && now == last[0];
                last[0] = now;
                sleepQuietly();
                return settled;
            });
            Tunnel agentTunnel = fixture.agent.connections().get(0).tunnel();
            assertTrue(agentTunnel.queuedBytes() <= 262_144 + 65_536,
                    "the agent holds at most one window and one read: " + agentTunnel.queuedBytes());

            ProxyFixture.Browser other = fixture.browser("/echo", false);
            WebSocketConnection connection = other.open.get(10, TimeUnit.SECONDS);
            Random random = new Random(5);
            for (int i = 0; i < 200; i++) {
                byte[] message = new byte[16_384];
                random.nextBytes(message);
                connection.sendBinary(ByteBuffer.wrap(message));
                assertTrue(java.util.Arrays.equals(message, (byte[]) other.received.poll(10, TimeUnit.SECONDS)),
                        "echo " + i + " while the other stream is stalled");
            }
            long stalledAt = fixture.flooded.get();
            assertTrue(stalledAt < 64L << 20, "the stalled stream's service was held back: " + stalledAt);

            // reading again lets the flood go on
            for (int i = 0; i < 200; i++) {
                assertEquals("2:65536", stalled.readFrame());
            }
            await(() -> fixture.flooded.get() > stalledAt);
        }
    }

    @Test
    void aThousandWebSocketsShareOneTunnel() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(30));
        List<RawBrowser> browsers = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                browsers.add(new RawBrowser(fixture.browserPort(), "/echo"));
            }
            assertEquals(1000, fixture.controller.agents().tunnel("home").orElseThrow().openStreams());
            for (int i = 0; i < browsers.size(); i++) {
                browsers.get(i).sendText("hello " + i);
            }
            for (int i = 0; i < browsers.size(); i++) {
                assertEquals("1:hello " + i, browsers.get(i).readFrame());
            }
        } finally {
            for (RawBrowser browser : browsers) {
                browser.close();
            }
        }
        await(() -> fixture.controller.agents().tunnel("home").orElseThrow().openStreams() == 0);
    }

    /**
     * 1 GiB up (a PUT generated as it is sent, digested as the service reads it) and 1 GiB down (a
     * GET of the bulk service) at the same time through one tunnel. Every second a full collection
     * measures the heap: it never holds anything near either body; neither tunnel side ever queues
     * more than a window and a frame per stream. {@code -Dproxy.bodySize=N} for a shorter run.
     */
    @Test
    @Tag("long")
    void aGigabyteEachWayAtOnceInBoundedMemory() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(30));
        long size = Long.getLong("proxy.bodySize", 1L << 30);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + fixture.browserPort();
        CompletableFuture<HttpResponse<String>> put = client.sendAsync(HttpRequest.newBuilder(URI.create(base
                + "/store")).PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> ProxyFixture.generated(size)), size)).build(), HttpResponse.BodyHandlers.ofString());
        AtomicLong heap = new AtomicLong();
        AtomicLong queued = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                System.gc();
                Runtime runtime = Runtime.getRuntime();
                heap.accumulateAndGet(runtime.totalMemory() - runtime.freeMemory(), Math::max);
                for (Tunnel tunnel : List.of(fixture.controller.agents().tunnel("home").orElseThrow(),
                        fixture.agent.connections().get(0).tunnel())) {
                    queued.accumulateAndGet(tunnel.queuedBytes(), Math::max);
                }
                try {
                    Thread.sleep(1_000); // a sampling period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-sampler");
        sampler.start();
        try {
            HttpResponse<InputStream> get = client.send(HttpRequest.newBuilder(URI.create(base + "/big/" + size))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            long read = 0;
            try (InputStream body = get.body()) {
                byte[] buffer = new byte[65_536];
                for (int n; (n = body.read(buffer)) > 0; read += n) {
                    assertEquals((byte) (read / 65_536), buffer[0], "at " + read);
                }
            }
            assertEquals(size, read);
            assertEquals("PUT /store " + ProxyFixture.digestText(ProxyFixture.generated(size)),
                    put.get(5, TimeUnit.MINUTES).body());
        } finally {
            done.set(true);
            sampler.join();
        }
        assertTrue(heap.get() < 256L << 20, "heap after a full collection, at most: " + heap.get());
        assertTrue(queued.get() <= 2 * (262_144 + 65_536), "queued on one tunnel side, at most: " + queued.get());
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
