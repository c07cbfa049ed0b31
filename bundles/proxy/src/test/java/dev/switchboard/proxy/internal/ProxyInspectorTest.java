package dev.switchboard.proxy.internal;

import static dev.switchboard.proxy.internal.TunnelTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.api.EndpointPanel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The controller's tunnel inspector in its console panel: requests and WebSockets, no credentials. */
class ProxyInspectorTest {

    private ProxyFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theLastRequestsAndWebSocketsShowWithoutCredentials() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        // bad inputs for an inspector: credentials in Authorization, Cookie and the query
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.browserPort() + "/page?key=secret-query"))
                        .header("Authorization", "Basic c2VjcmV0").header("Cookie", "sid=secret-cookie").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        ProxyFixture.Browser browser = fixture.browser("/echo", false);
        browser.open.get(10, TimeUnit.SECONDS).sendText("hello");
        assertEquals("hello", browser.received.poll(10, TimeUnit.SECONDS));
        browser.open.get().close(1000, "done");
        browser.closed.get(10, TimeUnit.SECONDS);

        await(() -> requests().size() == 2 && requests().get(0).get(9).endsWith("ms"));
        List<List<String>> rows = requests();
        assertEquals(List.of("WebSocket", "GET", "/echo", "101"), List.of(rows.get(0).get(1), rows.get(0).get(2),
                rows.get(0).get(4), rows.get(0).get(5)));
        assertEquals(List.of("HTTP", "GET", "/page?…", "200"), List.of(rows.get(1).get(1), rows.get(1).get(2),
                rows.get(1).get(4), rows.get(1).get(5)));
        assertFalse(fixture.controller.tables().toString().contains("secret"), rows.toString());
    }

    private List<List<String>> requests() {
        return fixture.controller.tables().stream().filter(t -> t.title().equals("recent requests"))
                .map(EndpointPanel.Table::rows).findFirst().orElseThrow();
    }
}
