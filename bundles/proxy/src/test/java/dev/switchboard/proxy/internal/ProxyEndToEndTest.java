package dev.switchboard.proxy.internal;

import static dev.switchboard.proxy.internal.TunnelTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import dev.switchboard.transport.WebSocketConnection;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Browsers through controller and agent to real services on loopback. */
class ProxyEndToEndTest {

    private ProxyFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Frame lengths at every size class: 7-bit, 16-bit and 64-bit lengths, and 16 MiB. */
    @Test
    void webSocketMessagesComeBackByteForByteFromOneByteTo16MiBWithDeflateEndToEnd() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        BlockingQueue<Message> events = new LinkedBlockingQueue<>();
        fixture.controller.subscribe(events::add);
        echoesByteForByte(true);
        await(() -> events.stream().anyMatch(m -> m.event().equals("opened")));
        Message opened = events.stream().filter(m -> m.event().equals("opened")).findFirst().orElseThrow();
        assertEquals("tunnel:home", opened.channel());
    }

    @Test
    void webSocketMessagesComeBackByteForByteWithoutCompression() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        echoesByteForByte(false);
    }

    /**
     * Echoes 1 B to 16 MiB, text and binary, through the proxy. With {@code deflate} the browser
     * offers permessage-deflate, sees the service's acceptance in the 101, and the tunnel carries
     * the compressed frames (a 1 MiB text of one letter crosses it in a few hundred bytes): the
     * compression is between browser and service, not terminated at the controller.
     */
    private void echoesByteForByte(boolean deflate) throws Exception {
        ProxyFixture.Browser browser = fixture.browser("/echo", deflate);
        WebSocketConnection connection = browser.open.get(10, TimeUnit.SECONDS);
        String extensions = connection.handshakeHeaders().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Sec-WebSocket-Extensions"))
                .map(e -> String.join(", ", e.getValue())).findFirst().orElse("");
        assertEquals(deflate, extensions.startsWith("permessage-deflate"), "the 101's extensions: " + extensions);
        Random random = new Random(3);
        for (int size : new int[] {1, 125, 126, 65_535, 65_536, 1 << 20, 16 << 20}) {
            byte[] binary = new byte[size];
            random.nextBytes(binary);
            connection.sendBinary(ByteBuffer.wrap(binary));
            assertArrayEquals(binary, (byte[]) browser.received.poll(30, TimeUnit.SECONDS), "binary " + size);
            String text = size == 1 ? "x" : "é".repeat(size / 2);
            connection.sendText(text);
            assertEquals(text, browser.received.poll(30, TimeUnit.SECONDS), "text " + size);
        }
        Tunnel tunnel = fixture.controller.agents().tunnel("home").orElseThrow();
        long before = tunnel.bytesIn();
        String letters = "a".repeat(1 << 20);
        connection.sendText(letters);
        assertEquals(letters, browser.received.poll(30, TimeUnit.SECONDS));
        long crossed = tunnel.bytesIn() - before;
        assertTrue(deflate ? crossed < 65_536 : crossed > 1 << 20, "the echo crossed the tunnel in " + crossed + " B");
    }

    /** Bad input: a service that closes with its own code (4321) and reason. */
    @Test
    void theServicesCloseCodeReachesTheBrowserAndTheStreamIsReported() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        BlockingQueue<Message> events = new LinkedBlockingQueue<>();
        fixture.controller.subscribe(events::add);
        ProxyFixture.Browser browser = fixture.browser("/echo", false);
        WebSocketConnection connection = browser.open.get(10, TimeUnit.SECONDS);
        connection.sendText("close:4321:done here");
        assertEquals("4321 done here", browser.closed.get(10, TimeUnit.SECONDS));
        await(() -> events.stream().anyMatch(m -> m.event().equals("closed")));
        Message closed = events.stream().filter(m -> m.event().equals("closed")).findFirst().orElseThrow();
        Map<?, ?> data = (Map<?, ?>) closed.data();
        assertEquals("web", data.get("service"));
        assertTrue(((Number) data.get("bytesToService")).longValue() > 0);
        await(() -> fixture.controller.agents().tunnel("home").orElseThrow().openStreams() == 0);
    }

    /** Bad input: a browser that closes with 4000; one that drops its connection without a close frame. */
    @Test
    void aBrowserThatClosesClosesTheServiceConnection() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        ProxyFixture.Browser browser = fixture.browser("/echo", false);
        browser.open.get(10, TimeUnit.SECONDS).close(4000, "tab closed");
        assertEquals("4000 tab closed", fixture.serviceCloses.poll(10, TimeUnit.SECONDS));
        try (RawBrowser raw = new RawBrowser(fixture.browserPort(), "/echo")) {
            raw.sendText("hi");
            assertEquals("1:hi", raw.readFrame());
        }
        // a browser gone without a close frame: the service's connection is dropped too
        assertEquals("1006", fixture.serviceCloses.poll(10, TimeUnit.SECONDS).split(" ")[0]);
        await(() -> fixture.controller.agents().tunnel("home").orElseThrow().openStreams() == 0);
    }

    /** Bad input: the agent stopped under two open WebSockets (one with permessage-deflate). */
    @Test
    void browsersGet1001WhenTheAgentIsGone() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        ProxyFixture.Browser first = fixture.browser("/echo", false);
        ProxyFixture.Browser second = fixture.browser("/echo", true);
        first.open.get(10, TimeUnit.SECONDS).sendText("hello");
        assertEquals("hello", first.received.poll(10, TimeUnit.SECONDS));
        second.open.get(10, TimeUnit.SECONDS);
        fixture.agent.stop();
        assertEquals("1001 proxy tunnel lost", first.closed.get(10, TimeUnit.SECONDS));
        assertEquals("1001 proxy tunnel lost", second.closed.get(10, TimeUnit.SECONDS));
    }

    @Test
    void browsersGet1001WhenTheControllerStops() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        ProxyFixture.Browser browser = fixture.browser("/echo", false);
        browser.open.get(10, TimeUnit.SECONDS);
        fixture.controller.stop();
        assertEquals("1001 proxy tunnel lost", browser.closed.get(10, TimeUnit.SECONDS));
    }

    /**
     * Bad input: hop-by-hop headers a service must not see ({@code Connection} naming a private
     * header, {@code Keep-Alive}, {@code Proxy-Authorization}); three requests on one connection.
     */
    @Test
    void plainHttpKeepsTheBrowsersConnectionAliveAndLosesHopByHopHeaders() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        try (Socket socket = new Socket("127.0.0.1", fixture.browserPort())) {
            socket.setSoTimeout(10_000);
            for (int i = 0; i < 3; i++) {
                write(socket, "GET /page/" + i + " HTTP/1.1\r\nHost: kuma.test:8040\r\n"
                        + "Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\n"
                        + "Proxy-Authorization: Basic eDp5\r\nX-Kept: yes\r\n\r\n");
                String answer = readResponse(socket.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertTrue(answer.endsWith("GET /page/" + i + " 0:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), answer);
            }
        }
        assertEquals(3, fixture.seen.size());
        Map<?, ?> details = fixture.controller.metrics().details();
        Map<?, ?> route = (Map<?, ?>) ((Map<?, ?>) details.get("routes")).get("* -> home/web");
        assertEquals(3L, ((Map<?, ?>) route.get("requests")).get("2xx"), details.toString());
        // each request's stream ends both ways once answered
        await(() -> fixture.controller.agents().tunnel("home").orElseThrow().openStreams() == 0);
        assertTrue(((Map<?, ?>) details.get("agents")).containsKey("home"), details.toString());
        for (Map<String, List<String>> headers : fixture.seen) {
            assertEquals(List.of("127.0.0.1"), headers.get("x-forwarded-for"), headers.toString());
            assertEquals(List.of("kuma.test:8040"), headers.get("x-forwarded-host"));
            assertEquals(List.of("http"), headers.get("x-forwarded-proto"));
            assertEquals(List.of("yes"), headers.get("x-kept"));
            for (String hop : List.of("x-secret", "keep-alive", "proxy-authorization")) {
                assertFalse(headers.containsKey(hop), hop + " reached the service: " + headers);
            }
        }
    }

    /**
     * An answered request leaves no 504 timer behind: each held its exchange (and the browser's
     * request) until the open timeout, so a busy controller's heap filled with answered requests.
     */
    @Test
    void anAnsweredRequestLeavesNoTimeoutBehind() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(30));
        java.util.concurrent.ThreadPoolExecutor scheduler =
                (java.util.concurrent.ThreadPoolExecutor) dev.switchboard.endpoint.internal.SharedScheduler.get();
        int before = scheduler.getQueue().size();
        try (Socket socket = new Socket("127.0.0.1", fixture.browserPort())) {
            socket.setSoTimeout(10_000);
            for (int i = 0; i < 50; i++) {
                write(socket, "GET /answered/" + i + " HTTP/1.1\r\nHost: kuma.test\r\n\r\n");
                assertTrue(readResponse(socket.getInputStream()).startsWith("HTTP/1.1 200"));
            }
        }
        int after = scheduler.getQueue().size();
        assertTrue(after < before + 10, "scheduled tasks before " + before + ", after 50 answers " + after);
    }

    /**
     * Bad input: a service that keeps its connection open after answering, though asked to close
     * it, once with a length and once chunked (in HTTP/1.1 to our HTTP/1.0 request), and a HEAD
     * answered with a length but no body: each answer ends by its framing, so the browser's
     * kept-alive connection carries the next request.
     */
    @Test
    void anAnswerEndsByItsFramingWhenTheServiceKeepsItsConnection() throws Exception {
        try (java.net.ServerSocket kept = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread service = new Thread(() -> {
                try {
                    while (true) {
                        java.net.Socket socket = kept.accept();
                        held.add(socket);
                        String request = ProxyFixture.text(readHead(socket.getInputStream()));
                        String answer = request.startsWith("HEAD ")
                                ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                                : request.contains("/kept/chunked")
                                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nchu\r\n5\r\nnked!\r\n0\r\n\r\n"
                                : "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nlength";
                        socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush(); // and the socket stays open
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "keeping-service");
            service.setDaemon(true);
            service.start();
            fixture = new ProxyFixture(Duration.ofSeconds(10), "kept=http://127.0.0.1:" + kept.getLocalPort());
            try (Socket socket = new Socket("127.0.0.1", fixture.browserPort())) {
                socket.setSoTimeout(10_000);
                for (int i = 0; i < 2; i++) {
                    write(socket, "GET /kept/length HTTP/1.1\r\nHost: kuma.test\r\n\r\n");
                    assertTrue(readResponse(socket.getInputStream()).endsWith("\r\n\r\nlength"));
                    write(socket, "GET /kept/chunked HTTP/1.1\r\nHost: kuma.test\r\n\r\n");
                    String chunked = readResponse(socket.getInputStream());
                    assertTrue(chunked.endsWith("\r\n\r\nchunked!"), chunked);
                    write(socket, "HEAD /kept/head HTTP/1.1\r\nHost: kuma.test\r\n\r\n");
                    String head = ProxyFixture.text(readHead(socket.getInputStream()));
                    assertTrue(head.startsWith("HTTP/1.1 200") && head.contains("Content-Length: 5"), head);
                }
            } finally {
                for (java.net.Socket socket : held) {
                    socket.close();
                }
            }
            // each answer's end closed the agent's connection to the service
            await(() -> fixture.controller.agents().tunnel("home").orElseThrow().openStreams() == 0);
            assertEquals(6, held.size());
        }
    }

    /** {@code -DbigSize=1073741824 -DargLine=-Xmx128m}: a 1 GB answer, twice, in a small heap. */
    @Test
    void aLargeResponseBodyStreamsThroughTheTunnelOnAKeptAliveConnection() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        long size = Long.getLong("bigSize", 64 << 20);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 2; i++) {
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + fixture.browserPort() + "/big/" + size)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            long read = 0;
            try (InputStream body = response.body()) {
                byte[] buffer = new byte[65_536];
                for (int n; (n = body.read(buffer)) > 0; read += n) {
                    assertEquals((byte) (read / 65_536), buffer[0], "at " + read);
                }
            }
            assertEquals(size, read);
        }
    }

    @Test
    void aPostBodyReachesTheServiceAndItsAnswerComesBack() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        byte[] body = "name=switchboard&kind=proxy".getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.browserPort() + "/form"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("POST /form " + ProxyFixture.digestText(new java.io.ByteArrayInputStream(body)), response.body());
        assertEquals(List.of(Integer.toString(body.length)), fixture.seen.peek().get("content-length"));
        await(() -> fixture.controller.agents().tunnel("home").orElseThrow().openStreams() == 0);
    }

    /**
     * The body is generated as it is sent and digested as the service reads it: nothing holds it
     * whole. {@code -DputSize=1073741824 -DargLine=-Xmx128m}: 1 GB in a small heap.
     */
    @Test
    void aLargePutBodyStreamsThroughTheTunnel() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        long size = Long.getLong("putSize", 24 << 20);
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.browserPort() + "/store"))
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                                () -> ProxyFixture.generated(size)), size)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("PUT /store " + ProxyFixture.digestText(ProxyFixture.generated(size)), response.body());
        await(() -> fixture.controller.agents().tunnel("home").orElseThrow().openStreams() == 0);
    }

    /** Bad input: a chunked body (HTTP/1.0 services need a length); one over 1 MiB. */
    @Test
    void aChunkedBodyReachesTheServiceWithItsLengthAndAnOversizedOneIs411() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        byte[] body = new byte[100_000];
        new Random(7).nextBytes(body);
        try (Socket socket = new Socket("127.0.0.1", fixture.browserPort())) {
            socket.setSoTimeout(10_000);
            write(socket, "POST /chunked HTTP/1.1\r\nHost: kuma.test\r\nTransfer-Encoding: chunked\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            for (int at = 0; at < body.length; at += 30_000) {
                int length = Math.min(30_000, body.length - at);
                out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, at, length);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            write(socket, "0\r\n\r\n");
            String answer = readResponse(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.endsWith("POST /chunked " + ProxyFixture.digestText(new java.io.ByteArrayInputStream(body))), answer);
            // the connection stays usable for the next request
            write(socket, "GET /after HTTP/1.1\r\nHost: kuma.test\r\n\r\n");
            assertTrue(readResponse(socket.getInputStream()).contains("GET /after 0:"));
        }
        Map<String, List<String>> headers = fixture.seen.peek();
        assertEquals(List.of("100000"), headers.get("content-length"), headers.toString());
        assertFalse(headers.containsKey("transfer-encoding"), headers.toString());
        HttpResponse<String> oversized = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.browserPort() + "/chunked"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> ProxyFixture.generated(BrowserFront.MAX_CHUNKED_BODY + 1L))).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(411, oversized.statusCode(), oversized.body());
        assertEquals(2, fixture.seen.size(), "the oversized body never reached the service");
    }

    /**
     * Bad input: a browser that sends half its request body, pauses longer than the open timeout,
     * then the rest. The service answers only once it has read the body: the timeout counts from
     * the body's end, not from the request's start.
     */
    @Test
    void theOpenTimeoutCountsFromTheEndOfASlowUpload() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(1));
        try (Socket socket = new Socket("127.0.0.1", fixture.browserPort())) {
            socket.setSoTimeout(10_000);
            write(socket, "POST /upload HTTP/1.1\r\nHost: kuma.test\r\nContent-Length: 10\r\n\r\nhello");
            Thread.sleep(1_500); // longer than the open timeout: the pause is what is tested
            write(socket, "world");
            String answer = readResponse(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.endsWith("POST /upload " + ProxyFixture.digestText(
                    new java.io.ByteArrayInputStream("helloworld".getBytes(StandardCharsets.US_ASCII)))), answer);
        }
    }

    /**
     * Bad input: a Host no route matches, an agent not connected, a service that is down (its port
     * closed), a service the agent does not have, a service that accepts and never answers.
     */
    @Test
    void noRouteIs404AMissingAgent502AMissingService502AndASilentOne504() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            int closedPort;
            try (ServerSocket gone = new ServerSocket(0)) {
                closedPort = gone.getLocalPort();
            }
            fixture = new ProxyFixture(Duration.ofSeconds(1), "down=http://127.0.0.1:" + closedPort,
                    "slow=http://127.0.0.1:" + silent.getLocalPort());
            assertAnswer(502, "agent lab is not connected", "/lab");
            assertAnswer(502, "service refused", "/down");
            assertAnswer(502, "agent has no service none", "/none");
            assertAnswer(504, "did not answer within 1 s", "/slow");
            assertEquals(State.ONLINE, fixture.agent.status().state());
        }
        fixture.close();
        fixture = new ProxyFixture(Duration.ofSeconds(1));
        fixture.controller.stop();
        ControllerSettings narrow = new ControllerSettings("ctl2", "127.0.0.1", 0, "127.0.0.1", 0, Map.of(),
                ProxyRoutes.parse(new String[] {"only.test -> home/web"}), Duration.ofSeconds(1), 65_536, 30);
        fixture.controller.start(narrow);
        assertAnswer(404, "no route", "/");
    }

    private void assertAnswer(int status, String text, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fixture.browserPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(text), response.body());
    }

    private static void write(Socket socket, String text) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** One response: its head, then a body of Content-Length bytes or chunked, as text. */
    /** An HTTP head, up to and with its empty line. */
    static ByteArrayOutputStream readHead(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!ProxyFixture.text(head).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed after: " + ProxyFixture.text(head));
            }
            head.write(b);
        }
        return head;
    }

    static String readResponse(InputStream in) throws Exception {
        String headText = ProxyFixture.text(readHead(in));
        String lower = headText.toLowerCase(java.util.Locale.ROOT);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = lower.indexOf("content-length:");
        if (at >= 0) {
            int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
            body.write(in.readNBytes(length));
        } else {
            assertTrue(lower.contains("transfer-encoding: chunked"), headText);
            while (true) {
                StringBuilder size = new StringBuilder();
                for (int b; (b = in.read()) != '\n'; ) {
                    size.append((char) b);
                }
                int length = Integer.parseInt(size.toString().trim(), 16);
                body.write(in.readNBytes(length));
                in.readNBytes(2);
                if (length == 0) {
                    break;
                }
            }
        }
        return headText + ProxyFixture.text(body);
    }
}
