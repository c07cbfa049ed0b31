package dev.switchboard.relay.internal;

import static dev.switchboard.relay.internal.RelayFixture.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.api.EndpointPanel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay server's tunnel inspector in its console panel: requests and WebSockets, no credentials. */
class RelayInspectorTest {

    private final RelayFixture relay;

    RelayInspectorTest() throws Exception {
        relay = new RelayFixture();
    }

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void theLastRequestsAndWebSocketsShowWithoutCredentials() throws Exception {
        relay.service.addHttp("/http/", (request, response) -> response.send(200, "text/plain", "app".getBytes(UTF_8)));
        // bad inputs for an inspector: credentials in Authorization, Cookie and the query
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.relayPort() + "/http/x?key=secret-query"))
                        .header("Authorization", "Basic c2VjcmV0").header("Cookie", "sid=secret-cookie").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("app", response.body());
        RelayFixture.Browser browser = relay.browser(false);
        browser.connection.sendText("hello");
        assertEquals("hello", browser.next());
        browser.connection.close(1000, "done");

        await("both are recorded as ended", () -> requests().size() == 2 && requests().get(0).get(9).endsWith("ms"));
        List<List<String>> rows = requests();
        assertEquals(List.of("WebSocket", "GET", "101"), List.of(rows.get(0).get(1), rows.get(0).get(2), rows.get(0).get(5)));
        assertEquals(List.of("HTTP", "GET", "/http/x?…", "200", "3"), List.of(rows.get(1).get(1), rows.get(1).get(2),
                rows.get(1).get(4), rows.get(1).get(5), rows.get(1).get(8)));
        assertFalse(relay.server.tables().toString().contains("secret"), rows.toString());
    }

    private List<List<String>> requests() {
        return relay.server.tables().stream().filter(t -> t.title().equals("recent requests"))
                .map(EndpointPanel.Table::rows).findFirst().orElseThrow();
    }
}
