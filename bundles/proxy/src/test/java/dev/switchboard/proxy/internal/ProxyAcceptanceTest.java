package dev.switchboard.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The acceptance scenario of the proxy's specification: a dashboard-like service pushes a message
 * every 50 ms to 20 browsers for 90 s (1 800 messages; {@code -Dproxy.dashboardMessages=N} for a
 * shorter run): every browser gets every message in order, none disconnects or reconnects.
 */
class ProxyAcceptanceTest {

    @Test
    @Tag("long")
    void twentyDashboardsGetEveryPushInOrderWithoutADisconnect() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(Duration.ofSeconds(10))) {
            List<ProxyFixture.Browser> browsers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                browsers.add(fixture.browser("/dashboard", true));
            }
            long deadline = ProxyFixture.DASHBOARD_MESSAGES * 50L + 60_000;
            for (ProxyFixture.Browser browser : browsers) {
                browser.open.get(10, TimeUnit.SECONDS);
            }
            for (ProxyFixture.Browser browser : browsers) {
                for (int sequence = 0; sequence < ProxyFixture.DASHBOARD_MESSAGES; sequence++) {
                    assertEquals("{\"seq\":" + sequence + "}", browser.received.poll(deadline, TimeUnit.MILLISECONDS));
                }
                assertEquals("end", browser.received.poll(deadline, TimeUnit.MILLISECONDS));
                assertFalse(browser.closed.isDone(), "disconnected: " + browser.closed.getNow(""));
                assertEquals(0, browser.client.metrics().snapshot().reconnects());
            }
        }
    }
}
