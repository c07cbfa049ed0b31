package dev.switchboard.relay.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

    @Test
    void aResponseThatBeganBeforeTheRequestBodyEndedIsNotCutOffByTheDeadline() throws Exception {
        // the service answers at once, then reads the body and takes longer than the request timeout to
        // finish: the deadline, set when the body has been sent, must not abort a response that is streaming
        relay.service.addHttp("/early", (request, response) -> {
            response.status(200);
            try (OutputStream out = response.body()) {
                out.write("first\n".getBytes(UTF_8));
                out.flush();
                request.body().readAllBytes();
                Thread.sleep(2_500); // longer than the 1 s request timeout: the time is what is tested
                out.write("last\n".getBytes(UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (Socket browser = send("POST /early HTTP/1.1\r\nHost: app.localhost\r\nContent-Length: 4\r\n\r\n")) {
            InputStream in = browser.getInputStream();
            assertTrue(RelayFixture.readHead(in).startsWith("HTTP/1.1 200"));
            StringBuilder body = new StringBuilder();
            while (!body.toString().contains("first")) {
                body.append((char) in.read());
            }
            browser.getOutputStream().write("done".getBytes(US_ASCII));
            for (int b; !body.toString().contains("last") && (b = in.read()) >= 0; ) {
                body.append((char) b);
            }
            assertTrue(body.toString().contains("last"), "the response was cut off: " + body);
        }
    }

    private Socket send(String head) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(head.getBytes(US_ASCII));
        return socket;
    }
}
