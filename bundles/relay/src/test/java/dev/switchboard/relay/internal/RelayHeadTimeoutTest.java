package dev.switchboard.relay.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A browser connection that never completes its request head is closed after the request timeout. */
class RelayHeadTimeoutTest {

    private final RelayFixture relay;

    RelayHeadTimeoutTest() throws Exception {
        relay = new RelayFixture(Duration.ofSeconds(1));
    }

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void aTrickledHeadIsClosedWhileACompleteRequestIsAnswered() throws Exception {
        relay.service.addHttp("/http/", (request, response) -> response.send(200, "text/plain", "app".getBytes(UTF_8)));
        try (Socket slow = send("GET / HTTP/1.1\r\nHost: app.localhost\r\n");
             Socket browser = send("GET /http/ HTTP/1.1\r\nHost: app.localhost\r\n\r\n")) {
            assertTrue(RelayFixture.readHead(browser.getInputStream()).startsWith("HTTP/1.1 200"));
            assertEquals(-1, slow.getInputStream().read(), "the relay closes the connection");
        }
    }

    @Test
    void anIdleRelayedWebSocketStaysOpen() throws Exception {
        RelayFixture.Browser browser = relay.browser(false);
        // a head begun after the WebSocket opened is closed: the WebSocket has been idle as long
        try (Socket slow = send("GET / HTTP/1.1\r\nHost: app.localhost\r\n")) {
            InputStream in = slow.getInputStream();
            assertEquals(-1, in.read());
        }
        browser.connection.sendText("still here");
        assertEquals("still here", browser.next());
        assertEquals(-1, browser.closeCode);
    }

    private Socket send(String head) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(head.getBytes(US_ASCII));
        return socket;
    }
}
