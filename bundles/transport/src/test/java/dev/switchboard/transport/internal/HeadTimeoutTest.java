package dev.switchboard.transport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.StreamExchange;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A connection that never completes a request head is closed; answered and upgraded ones are not cut short. */
class HeadTimeoutTest {

    private static final String PARTIAL_HEAD = "GET / HTTP/1.1\r\nHost: app.localhost\r\n";

    private final TyrusTransport transport = new TyrusTransport();
    private WebSocketServer server;

    @BeforeEach
    void listen() throws IOException {
        server = transport.listen(ServerSpec.builder("heads").headTimeout(Duration.ofSeconds(1)).build());
        server.addWebSocket("/ws", List.of(), new WebSocketHandler() { });
        server.addStreamFallback(HeadTimeoutTest::answer);
    }

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void aConnectionTricklingItsHeadIsClosed() throws IOException {
        try (Socket slow = send(PARTIAL_HEAD)) {
            assertEquals(-1, slow.getInputStream().read(), "the server closes the connection");
        }
    }

    @Test
    void aCompleteRequestIsAnsweredThenTheIdleKeepAliveConnectionIsClosed() throws IOException {
        try (Socket slow = send(PARTIAL_HEAD);
             Socket client = send("GET /page HTTP/1.1\r\nHost: app.localhost\r\n\r\n")) {
            InputStream in = client.getInputStream();
            assertTrue(StreamFixture.readHead(in).startsWith("HTTP/1.1 200"));
            assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), in.readNBytes(2));
            assertEquals(-1, slow.getInputStream().read());
            // no next head comes on the kept-alive connection either
            assertEquals(-1, in.read());
        }
    }

    @Test
    void upgradedConnectionsOutliveTheTimeout() throws IOException {
        try (Socket webSocket = RawPeer.client(server.port(), "/ws");
             Socket stream = StreamFixture.upgrade(server.port(), "", new byte[0])) {
            webSocket.setSoTimeout(20_000);
            assertTrue(StreamFixture.readHead(stream.getInputStream()).startsWith("HTTP/1.1 101"));
            // a head started after both upgrades is closed: their own time has passed as well
            try (Socket slow = send(PARTIAL_HEAD)) {
                assertEquals(-1, slow.getInputStream().read());
            }
            webSocket.getOutputStream().write(RawPeer.frameHeader(0x9, 0)); // ping
            assertEquals(0x8A, webSocket.getInputStream().read(), "pong");
            stream.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still here", new String(StreamFixture.readExactly(stream.getInputStream(), 10),
                    StandardCharsets.US_ASCII));
        }
    }

    private Socket send(String bytes) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    /** Echoes an upgraded stream; answers a plain request with "ok". */
    private static void answer(StreamExchange exchange) {
        if (exchange.isUpgrade()) {
            ByteStream echo = exchange.switchProtocols(List.of());
            echo.receive(new ByteReceiver() {
                @Override
                public void onBytes(ByteBuffer bytes) {
                    echo.write(bytes);
                }

                @Override
                public void onEnd() {
                    echo.end();
                }
            });
            return;
        }
        var body = exchange.respond(200, "OK", List.of(new HttpHeader("Content-Length", "2")));
        body.write(ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)));
        body.end();
    }
}
