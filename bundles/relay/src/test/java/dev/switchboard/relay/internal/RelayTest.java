package dev.switchboard.relay.internal;

import static dev.switchboard.relay.internal.RelayFixture.await;
import static dev.switchboard.relay.internal.RelayFixture.readHead;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay end to end on loopback: a browser, the relay server, the relay client, a local service. */
class RelayTest {

    private final RelayFixture relay;

    RelayTest() throws Exception {
        relay = new RelayFixture();
    }

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void webSocketMessagesPassByteForByteWithDeflateNegotiatedEndToEnd() throws Exception {
        echoesByteForByte(true);
    }

    @Test
    void webSocketsWithoutCompressionEchoToo() throws Exception {
        echoesByteForByte(false);
    }

    /**
     * Text and binary of 1 B to 16 MiB (7-bit, 16-bit and 64-bit frame lengths) come back byte for
     * byte; the 101 the browser sees names permessage-deflate exactly when it offered it.
     */
    private void echoesByteForByte(boolean deflate) throws Exception {
        RelayFixture.Browser browser = relay.browser(deflate);
        String extensions = String.valueOf(browser.connection.handshakeHeaders().get("Sec-WebSocket-Extensions"));
        assertEquals(deflate, extensions.contains("permessage-deflate"), extensions);
        Random random = new Random(1);
        for (int size : new int[] {1, 125, 126, 65_535, 65_536, 1 << 20, 16 << 20}) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            browser.connection.sendBinary(ByteBuffer.wrap(bytes));
            assertArrayEquals(bytes, (byte[]) browser.next(), "binary of " + size);
            String text = size == 1 ? "x" : "é".repeat(size / 2);
            browser.connection.sendText(text);
            assertEquals(text, browser.next(), "text of " + size);
        }
    }

    @Test
    void theServicesCloseCodeReachesTheBrowser() throws Exception {
        RelayFixture.Browser browser = relay.browser(true);
        browser.connection.sendText("close:4321");
        await("the browser sees the close", () -> browser.closeCode >= 0);
        assertEquals(4321, browser.closeCode);
        await("the relay forgets the WebSocket", () -> relay.server.server().tunnels().get("app").webSockets.isEmpty());
    }

    @Test
    void keptAliveHttpRequestsAndStreamedBodiesPass() throws Exception {
        relay.service.addHttp("/http/", (request, response) -> {
            byte[] body = request.body().readAllBytes();
            response.status(200);
            response.header("X-Seen-Host", request.header("X-Forwarded-Host").orElse("none"));
            try (OutputStream out = response.body()) {
                out.write(body.length == 0 ? "hello".getBytes(UTF_8) : body);
            }
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + relay.relayPort() + "/http/x");
        byte[] big = new byte[24 << 20];
        new Random(2).nextBytes(big);

        var get = http.send(HttpRequest.newBuilder(uri).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode());
        assertEquals("hello", get.body());
        var post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, post.statusCode());
        assertArrayEquals(big, post.body());
        assertEquals("hello", http.send(HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        await("three requests are counted", () -> Long.valueOf(3).equals(((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) relay.server
                .server().details().get("tunnels")).get("app")).get("requests")).get("2xx")));
    }

    /** A browser that asks "Expect: 100-continue" (curl does for bodies over 1 KiB) gets the service's answer, not its interim 100. */
    @Test
    void aRequestExpecting100ContinueGetsTheServicesAnswer() throws Exception {
        relay.service.addHttp("/http/", (request, response) -> {
            byte[] body = request.body().readAllBytes();
            response.send(200, "text/plain", (body.length + " bytes").getBytes(UTF_8));
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.relayPort() + "/http/up"))
                .expectContinue(true).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[100_000])).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode());
        assertEquals("100000 bytes", post.body());
    }

    @Test
    void theHostNamesTheTunnel() throws Exception {
        relay.service.addHttp("/http/", (request, response) -> response.send(200, "text/plain", "app".getBytes(UTF_8)));
        assertTrue(rawGet("app.localhost:" + relay.relayPort(), "/http/").startsWith("HTTP/1.1 200"));
        assertTrue(rawGet("nope.localhost:" + relay.relayPort(), "/http/").startsWith("HTTP/1.1 404"));
        assertTrue(rawGet("127.0.0.1", "/http/" + "x".repeat(12_000)).startsWith("HTTP/1.1 200"));
        assertTrue(rawGet("127.0.0.1", "/http/" + "x".repeat(20_000)).startsWith("HTTP/1.1 431"));
    }

    /** Bad input: a local service address nobody listens on. */
    @Test
    void aLocalServiceThatIsDownIsABadGateway() throws Exception {
        relay.client.stop();
        int gone = relay.service.port();
        relay.service.close();
        relay.client.start(relay.clientSettings("app", RelayFixture.TOKEN, gone));
        await("the tunnel registers again", () -> relay.client.status().state() == State.ONLINE);
        assertTrue(rawGet("app.localhost", "/").startsWith("HTTP/1.1 502"));
    }

    /** Bad input: a client with a wrong token; a second client for a tunnel name that is held. */
    @Test
    void aWrongTokenIsRefusedWith4401AndAHeldNameWith4409() throws Exception {
        RelayClientAdapter wrong = new RelayClientAdapter(relay.transport);
        RelayClientAdapter twin = new RelayClientAdapter(relay.transport);
        try {
            wrong.start(relay.clientSettings("other", "not-the-token", relay.service.port()));
            await("the wrong token is refused", () -> wrong.status().detail() == Detail.AUTHENTICATION_FAILED);
            twin.start(relay.clientSettings("app", RelayFixture.TOKEN, relay.service.port()));
            await("the held name is refused", () -> twin.status().reason().contains("held"));
            assertEquals(State.ONLINE, relay.client.status().state());
        } finally {
            wrong.stop();
            twin.stop();
        }
    }

    /** Bad input: a data connection naming a connection id the relay never gave out. */
    @Test
    void aDataConnectionWithAnUnknownConnectionIdIsNotFound() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort())) {
            socket.getOutputStream().write(("GET " + RelayServer.DATA_PREFIX + Tokens.connectionId() + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: switchboard-relay\r\nAuthorization: Bearer "
                    + RelayFixture.TOKEN + "\r\nRelay-Tunnel: app\r\n\r\n").getBytes(ISO_8859_1));
            assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 404"));
        }
    }

    /** Bad input: the client stopped while a 16 MiB message is on its way through it and back. */
    @Test
    void theBrowserSideClosesWhenTheClientDiesMidStream() throws Exception {
        RelayFixture.Browser browser = relay.browser(true);
        browser.connection.sendText("before");
        assertEquals("before", browser.next());
        byte[] large = new byte[16 << 20];
        new Random(4).nextBytes(large);
        browser.connection.sendBinary(ByteBuffer.wrap(large));
        relay.client.stop();
        await("the browser's WebSocket closes, not left hanging", () -> browser.closeCode >= 0);
        await("the relay forgets the WebSocket", () -> relay.server.server().tunnels().get("app") == null
                || relay.server.server().tunnels().get("app").webSockets.isEmpty());
    }

    @Test
    void openWebSocketsSurviveAControlChannelReconnect() throws Exception {
        RelayFixture.Browser browser = relay.browser(true);
        java.util.List<dev.switchboard.api.Message> clientEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
        relay.client.subscribe(clientEvents::add);
        browser.connection.sendText("before");
        assertEquals("before", browser.next());
        relay.server.send(dev.switchboard.api.Message.builder("gateway", "control").event("disconnect")
                .data(Map.of("tunnel", "app")).build()).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        await("the tunnel is lost and registers again", () -> {
            java.util.List<String> seen = clientEvents.stream().map(m -> m.event()).toList();
            return seen.contains("lost") && seen.lastIndexOf("registered") > seen.indexOf("lost");
        });
        browser.connection.sendText("after");
        assertEquals("after", browser.next());
        assertEquals(-1, browser.closeCode);
    }

    private String rawGet(String host, String path) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(ISO_8859_1));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), ISO_8859_1);
        }
    }
}
