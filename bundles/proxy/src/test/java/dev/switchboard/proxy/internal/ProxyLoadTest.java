package dev.switchboard.proxy.internal;

import static dev.switchboard.proxy.internal.TunnelTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.WebSocketConnection;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many streams on one tunnel: a stalled reader, a thousand WebSockets. */
class ProxyLoadTest {

    private ProxyFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

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

    private static void sleepQuietly() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
