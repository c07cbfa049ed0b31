package dev.switchboard.relay.internal;

import static dev.switchboard.relay.internal.RelayFixture.await;
import static dev.switchboard.relay.internal.RelayFixture.readHead;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.Message;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay server against a hand-driven client: authentication of the control channel, the
 * connection ids of data connections, the events and commands of the endpoint.
 */
class RelayControlTest {

    private static final String LOCAL_101 = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    private static final String GET = "GET /a HTTP/1.1\r\nHost: fake.localhost\r\n\r\n";

    private final RelayFixture relay;
    private final List<Message> events = new CopyOnWriteArrayList<>();

    RelayControlTest() throws Exception {
        relay = new RelayFixture();
        relay.server.subscribe(events::add);
    }

    @AfterEach
    void close() {
        relay.close();
    }

    /** Bad input: a client that never says hello; a hello without a token. */
    @Test
    void aClientThatSaysNothingOrNoTokenIsClosedWith4401() throws Exception {
        FakeClient silent = new FakeClient(null);
        FakeClient tokenless = new FakeClient("{\"type\":\"hello\",\"tunnel\":\"x\"}");
        await("the silent client is closed", () -> silent.closeCode >= 0);
        await("the client without a token is closed", () -> tokenless.closeCode >= 0);
        assertEquals(RelayServer.UNAUTHORIZED, silent.closeCode);
        assertEquals(RelayServer.UNAUTHORIZED, tokenless.closeCode);
    }

    /** Bad input: a first message that is no JSON; a JSON hello that is no object's text. Closed with 4400 at once. */
    @Test
    void aControlMessageThatCannotBeReadIsClosedWith4400() throws Exception {
        FakeClient garbage = new FakeClient("not json");
        FakeClient truncated = new FakeClient("{\"type\":\"hel");
        await("the client sending garbage is closed", () -> garbage.closeCode >= 0);
        await("the client sending a truncated message is closed", () -> truncated.closeCode >= 0);
        assertEquals(RelayServer.MALFORMED, garbage.closeCode);
        assertEquals(RelayServer.MALFORMED, truncated.closeCode);
    }

    /** Bad input: a connection id presented for a foreign tunnel, then a second time once used. */
    @Test
    void aConnectionIdPairsOnceWithItsOwnTunnelOnly() throws Exception {
        FakeClient fake = registered("fake");
        try (Socket browser = upgrade("fake.localhost")) {
            JsonNode upgrade = fake.next("upgrade");
            String id = upgrade.path("connection").asText();
            assertEquals(43, id.length(), "256 random bits, base64url");

            assertTrue(data(id, "app").startsWith("HTTP/1.1 404"), "a foreign tunnel's data connection");
            try (Socket data = dataConnection(id, "fake")) {
                assertTrue(readHead(data.getInputStream()).startsWith("HTTP/1.1 101"));
                String head = readHead(browser.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 101") && head.contains("Sec-WebSocket-Accept"), head);
                assertTrue(data(id, "fake").startsWith("HTTP/1.1 404"), "a used connection id");
                data.getOutputStream().write("spliced".getBytes(ISO_8859_1));
                assertEquals("spliced", new String(browser.getInputStream().readNBytes(7), ISO_8859_1));
            }
        }
        await("the WebSocket's events", () -> events.stream().anyMatch(m -> "websocket-closed".equals(m.event())));
        assertTrue(events.stream().anyMatch(m -> "tunnel:fake".equals(m.channel()) && "registered".equals(m.event())));
        assertTrue(events.stream().anyMatch(m -> "websocket-opened".equals(m.event())));
    }

    /** Bad input: a client that never dials the data connection; its connection id presented after it expired. */
    @Test
    void anUnpairedUpgradeExpiresAndItsIdIsRefused() throws Exception {
        FakeClient fake = registered("fake");
        try (Socket browser = upgrade("fake.localhost")) {
            String id = fake.next("upgrade").path("connection").asText();
            assertTrue(readHead(browser.getInputStream()).startsWith("HTTP/1.1 504"));
            assertTrue(data(id, "fake").startsWith("HTTP/1.1 404"), "an expired connection id");
        }
    }

    @Test
    void theSinkClosesAWebSocketAndDisconnectsATunnel() throws Exception {
        FakeClient fake = registered("fake");
        try (Socket browser = upgrade("fake.localhost"); Socket data = dataConnection(
                fake.next("upgrade").path("connection").asText(), "fake")) {
            readHead(browser.getInputStream());
            await("the WebSocket opens", () -> events.stream().anyMatch(m -> "websocket-opened".equals(m.event())));
            Object connection = ((Map<?, ?>) events.stream().filter(m -> "websocket-opened".equals(m.event()))
                    .findFirst().orElseThrow().data()).get("connection");
            relay.server.send(Message.builder("gateway", "control").event("close")
                    .data(Map.of("connection", connection)).build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(-1, readOrEnd(browser));
            relay.server.send(Message.builder("gateway", "control").event("disconnect")
                    .data(Map.of("tunnel", "fake")).build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            await("the tunnel is dropped", () -> fake.closeCode >= 0);
            await("the tunnel is lost", () -> events.stream().anyMatch(m -> "lost".equals(m.event())));
        }
    }

    /**
     * A GET without a body is its request message alone (no END frame follows it), and a response
     * may come as one RESPONSE frame (head, body, end) or streamed (response message, DATA, END);
     * the browser's kept connection carries the next request either way.
     */
    @Test
    void aBodilessGetIsOneMessageAndEitherFormOfResponseAnswersItOnTheKeptConnection() throws Exception {
        FakeClient fake = registered("fake");
        ResponseHead ok = ResponseHead.of(200, "OK", List.of(new HttpHeader("Content-Length", "2")));
        try (Socket browser = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort())) {
            browser.setSoTimeout(20_000);
            browser.getOutputStream().write(GET.getBytes(ISO_8859_1));
            JsonNode first = fake.next("request");
            assertEquals("NONE", first.path("body").asText());
            fake.connection.sendBinary(RelayCodec.response(first.path("id").asLong(), ok,
                    ByteBuffer.wrap("ok".getBytes(ISO_8859_1))));
            assertTrue(readHead(browser.getInputStream()).startsWith("HTTP/1.1 200"));
            assertEquals("ok", new String(browser.getInputStream().readNBytes(2), ISO_8859_1));

            browser.getOutputStream().write(GET.getBytes(ISO_8859_1));
            long second = fake.next("request").path("id").asLong();
            // the channel keeps order: an END for the first request would have come before this
            assertTrue(fake.binaries.isEmpty(), fake.binaries.size() + " binary frames for bodiless requests");
            fake.connection.sendText(RelayCodec.response(second, ok));
            fake.connection.sendBinary(RelayCodec.data(second, ByteBuffer.wrap("OK".getBytes(ISO_8859_1))));
            fake.connection.sendBinary(RelayCodec.end(second));
            assertTrue(readHead(browser.getInputStream()).startsWith("HTTP/1.1 200"));
            assertEquals("OK", new String(browser.getInputStream().readNBytes(2), ISO_8859_1));
        }
    }

    /** Bad input: a RESPONSE frame whose head's length runs past the frame; one without a head. Closed with 4400. */
    @Test
    void aResponseFrameThatCannotBeReadIsClosedWith4400() throws Exception {
        List<ByteBuffer> bad = List.of(ByteBuffer.allocate(9 + 4 + 3).put(RelayCodec.RESPONSE).putLong(1).putInt(1000)
                .flip(), ByteBuffer.allocate(9 + 2).put(RelayCodec.RESPONSE).putLong(1).flip());
        for (int i = 0; i < bad.size(); i++) {
            FakeClient fake = registered("fake" + i);
            fake.connection.sendBinary(bad.get(i));
            await("the client is closed", () -> fake.closeCode >= 0);
            assertEquals(RelayServer.MALFORMED, fake.closeCode);
        }
    }

    private static int readOrEnd(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (IOException reset) {
            return -1;
        }
    }

    private FakeClient registered(String tunnel) throws Exception {
        FakeClient fake = new FakeClient(RelayCodec.hello(RelayFixture.TOKEN, tunnel));
        fake.next("registered");
        return fake;
    }

    private Socket upgrade(String host) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(ISO_8859_1));
        return socket;
    }

    private Socket dataConnection(String id, String tunnel) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET " + RelayServer.DATA_PREFIX + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: Upgrade\r\nUpgrade: switchboard-relay\r\nAuthorization: Bearer " + RelayFixture.TOKEN
                + "\r\nRelay-Tunnel: " + tunnel + "\r\nRelay-Response: "
                + Base64.getEncoder().encodeToString(LOCAL_101.getBytes(ISO_8859_1)) + "\r\n\r\n").getBytes(ISO_8859_1));
        return socket;
    }

    private String data(String id, String tunnel) throws IOException {
        try (Socket socket = dataConnection(id, tunnel)) {
            return readHead(socket.getInputStream());
        }
    }

    /** A relay client driven by hand: sends {@code hello} (if any) on open and records what comes. */
    private final class FakeClient implements ClientHandler {
        private final String hello;
        private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final BlockingQueue<ByteBuffer> binaries = new LinkedBlockingQueue<>();
        private volatile WebSocketConnection connection;
        private final WebSocketClient client;
        private volatile int closeCode = -1;

        FakeClient(String hello) {
            this.hello = hello;
            client = relay.transport.connect(ClientSpec.builder("fake", URI.create("ws://127.0.0.1:" + relay.relayPort()
                    + RelayServer.CONTROL_PATH)).build(), this);
        }

        @Override
        public void onOpen(WebSocketConnection connection) {
            this.connection = connection;
            if (hello != null) {
                connection.sendText(hello);
            }
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            received.add(RelayCodec.parse(text));
        }

        @Override
        public void onBinary(WebSocketConnection connection, ByteBuffer data) {
            binaries.add(data);
        }

        @Override
        public void onClose(WebSocketConnection connection, int code, String reason) {
            closeCode = code;
            client.close();
        }

        JsonNode next(String type) throws InterruptedException {
            JsonNode message = received.poll(20, TimeUnit.SECONDS);
            assertTrue(message != null && type.equals(message.path("type").asText()), "expected " + type + ", got "
                    + message);
            return message;
        }
    }
}
