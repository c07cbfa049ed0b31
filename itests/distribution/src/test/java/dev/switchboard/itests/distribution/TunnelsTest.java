package dev.switchboard.itests.distribution;

import static dev.switchboard.itests.distribution.Installation.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.itests.peers.EchoClient;
import dev.switchboard.itests.peers.web.EchoService;
import dev.switchboard.transport.internal.TyrusTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.By;

/**
 * The relay and the proxy in the distribution as a user sets them up: the shipped examples in
 * etc/ enabled with a token of the test's (relay server + relay client, proxy controller + agent,
 * all in the one started Switchboard), exposing a local service the test runs on loopback
 * ({@link EchoService}). Every test runs through both ways in: the relay server and the proxy
 * controller. Bad input: a wrong token at the relay's control channel and at the controller's agent
 * port, a close code chosen by the service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TunnelsTest {

    private static final Duration READY = Duration.ofSeconds(180);
    private static final Duration SOON = Duration.ofSeconds(30);
    private static final List<String> ENDPOINTS = List.of("relay-server", "relay-app", "proxy.controller", "proxy.agent");

    /** A way in for browsers: where they connect, and where its other side authenticates. */
    record Front(String name, int port, URI controlUri, String helloFormat) {
        URI http(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        URI ws(String path) {
            return URI.create("ws://127.0.0.1:" + port + path);
        }

        /** The first message of a client that names itself {@code name} and holds {@code token}. */
        String hello(String name, String token) {
            return helloFormat.formatted(name, token);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final String relayToken = "relay-" + UUID.randomUUID();
    private final String agentToken = "agent-" + UUID.randomUUID();
    /** HTTP/1.1 as browsers speak it: the JDK's default asks for an h2c upgrade, which the tunnels forward as one. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(SOON).build();
    private final TyrusTransport transport = new TyrusTransport();
    private EchoService service;
    private Installation switchboard;
    private Front relay;
    private Front proxy;

    @BeforeAll
    void start() throws Exception {
        service = new EchoService(transport);
        switchboard = Installation.unzip(Path.of(System.getProperty("switchboard.zip")),
                Path.of(System.getProperty("switchboard.work")));
        // the demo's channels endpoints stay, on ports of their own
        switchboard.replaceInConfig("dev.switchboard.channels-demo.cfg", "port = 8025", "port = " + Installation.freePort());
        switchboard.replaceInConfig("dev.switchboard.channels-mirror.cfg", "port = 8026", "port = " + Installation.freePort());

        int relayPort = Installation.freePort();
        switchboard.enableExample("dev.switchboard.relay.server-main.cfg", Map.of("port", Integer.toString(relayPort),
                "tokens", relayToken, "defaultTunnel", "app"));
        switchboard.enableExample("dev.switchboard.relay.client-app.cfg", Map.of(
                "relayUrl", "ws://127.0.0.1:" + relayPort + "/_relay/control", "token", relayToken,
                "localUrl", service.url()));
        relay = new Front("relay", relayPort, URI.create("ws://127.0.0.1:" + relayPort + "/_relay/control"),
                "{\"type\":\"hello\",\"tunnel\":\"%s\",\"token\":\"%s\"}");

        int controllerPort = Installation.freePort();
        int agentPort = Installation.freePort();
        switchboard.enableExample("dev.switchboard.proxy.controller-main.cfg", Map.of(
                "port", Integer.toString(controllerPort), "agentPort", Integer.toString(agentPort),
                "agents", "home:" + agentToken, "routes", "* -> home/web"));
        switchboard.enableExample("dev.switchboard.proxy.agent-main.cfg", Map.of(
                "controllerUrl", "ws://127.0.0.1:" + agentPort + "/_agent", "token", agentToken,
                "services", "web=" + service.url()));
        proxy = new Front("proxy", controllerPort, URI.create("ws://127.0.0.1:" + agentPort + "/_agent"),
                "{\"type\":\"hello\",\"version\":1,\"name\":\"%s\",\"token\":\"%s\",\"window\":262144,\"maxFrame\":65536}");

        switchboard.run("start", null);
        await("relay server and client, proxy controller and agent are ONLINE", READY,
                () -> ENDPOINTS.stream().allMatch(switchboard::online));
    }

    @AfterAll
    void stop() {
        if (switchboard != null) {
            switchboard.destroy();
        }
        if (service != null) {
            service.close();
        }
        transport.close();
    }

    Stream<Front> fronts() {
        return Stream.of(relay, proxy);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fronts")
    void httpGetReachesTheServiceAndItsAnswerComesBack(Front front) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(front.http("/status/check")).timeout(SOON)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("hello GET /status/check", response.body());
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""),
                () -> "headers: " + response.headers().map());
    }

    /** Text with multi-byte characters and 64 KiB of random bytes come back as sent. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fronts")
    void webSocketEchoesTextAndBinary(Front front) throws Exception {
        try (EchoClient client = EchoClient.connect(front.ws("/echo"))) {
            String text = "héllo ✓ through the " + front;
            client.sendText(text);
            assertEquals(text, client.next());
            byte[] bytes = new byte[64 * 1024];
            new Random(42).nextBytes(bytes);
            client.sendBinary(bytes);
            assertArrayEquals(bytes, (byte[]) client.next());
            client.sendText("and again");
            assertEquals("and again", client.next());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fronts")
    void closeCodeFromTheServiceReachesTheClient(Front front) throws Exception {
        try (EchoClient client = EchoClient.connect(front.ws("/echo"))) {
            client.sendText("close:4123");
            assertEquals(4123, client.closeCode());
        }
    }

    /** Bad input: a client or agent whose token is wrong gets 4401; one log line names it, none holds the token. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fronts")
    void wrongTokenIsRefusedWith4401AndLoggedOnceWithoutTheToken(Front front) throws Exception {
        String name = "intruder-" + front;
        String wrongToken = "wrong-" + UUID.randomUUID();
        try (EchoClient intruder = EchoClient.connect(front.controlUri())) {
            intruder.sendText(front.hello(name, wrongToken));
            assertEquals(4401, intruder.closeCode());
        }
        await("the refusal is logged", SOON, () -> linesNaming(name) >= 1);
        assertEquals(1, linesNaming(name), () -> switchboard.log("switchboard.log"));
        assertFalse(switchboard.log("switchboard.log").contains(wrongToken), "the wrong token is in the log");
        assertFalse(switchboard.log("switchboard.log").contains(front == relay ? relayToken : agentToken),
                "a valid token is in the log");
        ENDPOINTS.forEach(id -> assertEquals("ONLINE", switchboard.state(id), id + " after the refusal"));
    }

    /**
     * Headless Chromium loads the service's page through the tunnel at http://app.localhost:PORT/
     * (the relay routes by that Host, the proxy by its route "*"); the page's script opens a
     * WebSocket back through the same tunnel, agrees permessage-deflate with the service and shows the
 * echoes. Screenshot:
     * target/screenshots/tunnel-&lt;front&gt;.png.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fronts")
    void browserLoadsAPageWhoseWebSocketEchoesThroughTheTunnel(Front front) throws Exception {
        String host = "app.localhost:" + front.port();
        try (HeadlessChromium chromium = HeadlessChromium.start("TunnelsTest.browser-" + front)) {
            chromium.open("http://" + host + "/");
            chromium.awaitText(By.id("echo"), "hello from " + host);
            chromium.awaitText(By.id("binary"), "1,2,3,250");
            assertEquals("open", chromium.driver().findElement(By.id("state")).getText());
            assertEquals(host, chromium.driver().findElement(By.id("host")).getText(), "the Host the service saw");
            // the browser offers permessage-deflate and the service accepts it: agreed end to end, through the tunnel
            String extensions = chromium.driver().findElement(By.id("extensions")).getText();
            assertTrue(extensions.startsWith("permessage-deflate"), extensions);
            chromium.screenshot("tunnel-" + front);
        }
    }

    private long linesNaming(String name) {
        return switchboard.log("switchboard.log").lines().filter(line -> line.contains(name)).count();
    }
}
