package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.Recorder.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.HttpResponse;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TyrusServerTest {

    private final TyrusTransport transport = new TyrusTransport();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private WebSocketServer listen(String name) throws IOException {
        return transport.listen(ServerSpec.builder(name).pingInterval(Duration.ZERO).build());
    }

    private WebSocketClient connect(WebSocketServer server, String path, Recorder handler) {
        return transport.connect(ClientSpec.builder("c", uri(server, path)).pingInterval(Duration.ZERO).build(), handler);
    }

    private static URI uri(WebSocketServer server, String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    /** Bad input: a host that is not loopback trying to reach a server configured for 127.0.0.1. */
    @Test
    void bindsToTheConfiguredHostOnly() throws Exception {
        WebSocketServer server = listen("local");
        InetSocketAddress bound = server.address();
        assertEquals("127.0.0.1", bound.getAddress().getHostAddress());
        assertTrue(bound.getPort() > 0);
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(nif -> Collections.list(nif.getInetAddresses()).stream())
                .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
                .findFirst();
        if (external.isPresent()) {
            assertThrows(ConnectException.class, () -> new Socket(external.get(), bound.getPort()).close(),
                    "server must not accept on " + external.get());
        }
    }

    /** Bad input: a second server asking for a port that is taken; the failure releases everything. */
    @Test
    void portInUseFailsWithIOExceptionAndLeavesNoListener() throws Exception {
        WebSocketServer first = listen("first");
        IOException failure = assertThrows(IOException.class,
                () -> transport.listen(ServerSpec.builder("second").port(first.port()).build()));
        assertTrue(failure.getMessage().contains("127.0.0.1:" + first.port()), failure.getMessage());
        int port = first.port();
        first.close();
        transport.listen(ServerSpec.builder("again").port(port).build()).close();
    }

    /** Bad input: an unknown HTTP path (404) and a handler that throws (500), next to a WebSocket route. */
    @Test
    void httpAndWebSocketRoutesShareOnePort() throws Exception {
        WebSocketServer server = listen("mixed");
        server.addHttp("/static", (request, response) -> text(response, "static " + request.path()));
        server.addHttp("/static/deep", (request, response) ->
                text(response, "deep " + request.method() + " " + request.query() + " " + request.header("x-test").orElse("")));
        server.addHttp("/broken", (request, response) -> {
            throw new IOException("handler failure");
        });
        server.addWebSocket("/ws", new Recorder(true));

        assertEquals("static /static/a", get(server, "/static/a", 200));
        assertEquals("deep GET q=1 yes", get(server, "/static/deep/b?q=1", 200));
        get(server, "/nothing", 404);
        get(server, "/broken", 500);
        assertThrows(IllegalStateException.class, () -> server.addHttp("/static", (request, response) -> { }));

        Recorder client = new Recorder();
        connect(server, "/ws", client);
        next(client.opens).sendText("over websocket");
        assertEquals("over websocket", next(client.texts));
    }

    /** One kept-alive connection carries any number of requests (Grizzly's default closed it after 256). */
    @Test
    void aKeptAliveConnectionIsNeverClosedAfterSomeNumberOfRequests() throws Exception {
        WebSocketServer server = listen("kept");
        server.addHttp("/hi", (request, response) -> text(response, "hi"));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            for (int i = 1; i <= 300; i++) {
                socket.getOutputStream().write("GET /hi HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertEquals("HTTP/1.1 200 OK", in.readLine(), "request " + i);
                int length = -1;
                for (String line; !(line = in.readLine()).isEmpty(); ) {
                    assertFalse(line.equalsIgnoreCase("Connection: close"), "request " + i + " closes the connection");
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                char[] body = new char[length];
                assertEquals(length, in.read(body), "request " + i);
                assertEquals("hi", new String(body));
            }
        }
    }

    /** Bad input: routing the same WebSocket path twice. Routes added after start work (all of these are). */
    @Test
    void pathTemplateParametersReachTheConnection() throws Exception {
        WebSocketServer server = listen("templates");
        Recorder serverSide = new Recorder();
        server.addWebSocket("/_ws_proxy/{id}", serverSide);
        assertThrows(IllegalStateException.class, () -> server.addWebSocket("/_ws_proxy/{id}", new Recorder()));

        connect(server, "/_ws_proxy/abc-123?token=t", new Recorder());
        WebSocketConnection accepted = next(serverSide.opens);
        assertEquals("abc-123", accepted.pathParameters().get("id"));
        assertEquals("/_ws_proxy/abc-123?token=t", accepted.path());
        assertEquals(List.of(accepted), List.copyOf(server.connections()));
    }

    @Test
    void subprotocolAndHeadersAreNegotiated() throws Exception {
        WebSocketServer server = listen("protocols");
        Recorder serverSide = new Recorder();
        server.addWebSocket("/graphql", List.of("graphql-transport-ws", "graphql-ws"), serverSide);
        Recorder clientSide = new Recorder();
        transport.connect(ClientSpec.builder("c", uri(server, "/graphql")).subprotocols("graphql-ws")
                .header("Authorization", "Bearer secret").pingInterval(Duration.ZERO).build(), clientSide);

        WebSocketConnection accepted = next(serverSide.opens);
        assertEquals("graphql-ws", accepted.subprotocol());
        assertEquals(List.of("Bearer secret"), accepted.handshakeHeaders().get("authorization"));
        assertEquals("graphql-ws", next(clientSide.opens).subprotocol());
    }

    @Test
    void permessageDeflateIsNegotiatedWhenBothSidesWantIt() throws Exception {
        WebSocketServer server = listen("deflate");
        server.addWebSocket("/echo", new Recorder(true));
        Recorder clientSide = new Recorder();
        connect(server, "/echo", clientSide);
        WebSocketConnection connection = next(clientSide.opens);
        String extensions = String.join(",", connection.handshakeHeaders().getOrDefault("Sec-WebSocket-Extensions", List.of()));
        assertTrue(extensions.contains("permessage-deflate"), "response extensions: " + extensions);
        String compressible = "switchboard ".repeat(2000);
        connection.sendText(compressible);
        assertEquals(compressible, next(clientSide.texts));

        WebSocketServer plain = transport.listen(ServerSpec.builder("plain").compression(false).build());
        plain.addWebSocket("/echo", new Recorder(true));
        Recorder plainClient = new Recorder();
        connect(plain, "/echo", plainClient);
        assertFalse(next(plainClient.opens).handshakeHeaders().containsKey("Sec-WebSocket-Extensions"));
    }

    /** Bad input: a client sending a message larger than the server's limit. */
    @Test
    void oversizeMessageFromClientClosesWith1009() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("small").maxMessageSize(1024).build());
        Recorder serverSide = new Recorder();
        server.addWebSocket("/in", serverSide);
        Recorder clientSide = new Recorder();
        connect(server, "/in", clientSide);
        WebSocketConnection connection = next(clientSide.opens);
        connection.sendText("x".repeat(1024));
        assertEquals(1024, next(serverSide.texts).length());
        connection.sendText("x".repeat(4096));
        assertEquals(1009, next(serverSide.closes).code());
        assertEquals(1009, next(clientSide.closes).code());
    }

    /**
     * Bad input: one frame larger than Tyrus's raw frame buffer (4 MiB). It is refused from its
     * header, before Tyrus buffers it, with a real 1009 that the Tyrus client reads too.
     */
    @Test
    void frameBeyondTyrusFrameBufferClosesWith1009() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("huge").maxMessageSize(1024).build());
        Recorder serverSide = new Recorder();
        server.addWebSocket("/in", serverSide);
        Recorder clientSide = new Recorder();
        transport.connect(ClientSpec.builder("c", uri(server, "/in")).compression(false).pingInterval(Duration.ZERO)
                .build(), clientSide);
        next(clientSide.opens).sendText("x".repeat(5 * 1024 * 1024));
        assertEquals(1009, next(serverSide.closes).code());
        assertEquals(1009, next(clientSide.closes).code());
    }

    /** Bad input: a handler that throws on one message; the connection must survive it. */
    @Test
    void throwingHandlerKeepsTheConnectionOpenAndCountsTheError() throws Exception {
        WebSocketServer server = listen("throwing");
        server.addWebSocket("/echo", new WebSocketHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                if (text.equals("boom")) {
                    throw new IllegalStateException("handler bug");
                }
                connection.sendText("echo " + text);
            }
        });
        Recorder clientSide = new Recorder();
        connect(server, "/echo", clientSide);
        WebSocketConnection connection = next(clientSide.opens);
        connection.sendText("boom");
        connection.sendText("after");
        assertEquals("echo after", next(clientSide.texts));
        WebSocketConnection accepted = server.connections().iterator().next();
        assertTrue(accepted.isOpen());
        assertEquals(1, accepted.metrics().snapshot().errors());
        assertEquals(1, server.metrics().snapshot().errors());
    }

    @Test
    void metricsCountFramesAndBytesBothWays() throws Exception {
        WebSocketServer server = listen("metrics");
        server.addWebSocket("/echo", new Recorder(true));
        Recorder clientSide = new Recorder();
        WebSocketClient client = connect(server, "/echo", clientSide);
        WebSocketConnection connection = next(clientSide.opens);
        for (String text : List.of("abc", "déf", "ghi")) {
            connection.sendText(text).toCompletableFuture().join();
        }
        for (int i = 0; i < 3; i++) {
            next(clientSide.texts);
        }
        // "déf" is 4 bytes in UTF-8
        Await.until("server counters", () -> server.metrics().snapshot().framesOut() == 3);
        assertEquals(new ConnectionMetrics.Snapshot(3, 3, 10, 10, 0, 0), connection.metrics().snapshot());
        assertEquals(new ConnectionMetrics.Snapshot(3, 3, 10, 10, 0, 0), client.metrics().snapshot());
        assertEquals(new ConnectionMetrics.Snapshot(3, 3, 10, 10, 0, 0), server.metrics().snapshot());
    }

    /** Bad input: a client that never reads, so the server's sends pile up. */
    @Test
    void sendQueueOverflowClosesWith1013() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("slow").sendQueueLimit(4)
                .pingInterval(Duration.ZERO).build());
        Recorder serverSide = new Recorder();
        server.addWebSocket("/firehose", serverSide);
        try (Socket silent = RawPeer.silentClient(server.port(), "/firehose")) {
            WebSocketConnection accepted = next(serverSide.opens);
            String chunk = "y".repeat(256 * 1024);
            CompletionStage<Void> last = null;
            for (int i = 0; i < 2000 && accepted.isOpen(); i++) {
                last = accepted.sendText(chunk);
            }
            assertNotNull(last);
            CompletionException failure = assertThrows(CompletionException.class, last.toCompletableFuture()::join);
            assertInstanceOf(IOException.class, failure.getCause());
            assertEquals(1013, next(serverSide.closes).code());
            assertTrue(accepted.metrics().snapshot().errors() >= 1);
        }
    }

    /** A server closed with its own code sends it to every client; a second close changes nothing. */
    @Test
    void closeWithACodeSendsThatCodeOnce() throws Exception {
        WebSocketServer server = listen("coded");
        server.addWebSocket("/echo", new Recorder(true));
        Recorder client = new Recorder();
        connect(server, "/echo", client);
        next(client.opens);

        server.close(1000, "Server shutting down");
        server.close(1011, "too late");
        Recorder.Closed closed = next(client.closes);
        assertEquals(1000, closed.code());
        assertEquals("Server shutting down", closed.reason());
        assertThrows(IllegalStateException.class, () -> server.addWebSocket("/late", new Recorder()));
    }

    /**
     * A server's close is a handshake (RFC 6455 §7.1.1): every message the peer sent before it read
     * our Close is delivered, then onClose with our code. The peer is the JDK's WebSocket client,
     * sending as fast as it can until it sees the Close.
     */
    @Test
    void aServerCloseDeliversWhatThePeerSentBeforeItReadTheClose() throws Exception {
        WebSocketServer server = listen("handshake");
        List<String> received = Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.BlockingQueue<Integer> closed = new java.util.concurrent.LinkedBlockingQueue<>();
        server.addWebSocket("/in", new WebSocketHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                received.add(text);
                if (received.size() == 1) {
                    // a server slow at first: the peer is well ahead by the 200th message, so texts
                    // are in flight when our Close goes out (a quick server could close first)
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (received.size() == 200) {
                    connection.close(4000, "enough");
                }
            }

            @Override
            public void onClose(WebSocketConnection connection, int code, String reason) {
                closed.add(code);
            }
        });
        java.util.concurrent.CompletableFuture<Integer> closeSeen = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Void> doneSending = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket peer = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri(server, "/in"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(java.net.http.WebSocket socket, int code, String reason) {
                        closeSeen.complete(code);
                        // the JDK answers the Close once this completes: after the last text
                        return doneSending;
                    }
                }).join();
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; !closeSeen.isDone(); i++) {
            String text = "m" + i;
            try {
                peer.sendText(text, true).join();
            } catch (CompletionException e) {
                break;
            }
            sent.add(text);
        }
        doneSending.complete(null);
        assertEquals(4000, closeSeen.join());

        assertEquals(4000, next(closed));
        assertTrue(sent.size() > 200, "the peer kept sending while the Close was on its way: " + sent.size());
        assertEquals(sent, received, "every message sent before the peer read our Close");
    }

    /**
     * Bad input: a peer that reads our Close and never answers it. What it still sends is
     * delivered; after the linger time the socket is closed and the handler hears our code.
     */
    @Test
    void aPeerThatNeverAnswersOurCloseIsCutOffAfterTheLinger() throws Exception {
        WebSocketServer server = listen("silent");
        Recorder handler = new Recorder();
        server.addWebSocket("/in", handler);
        try (Socket peer = RawPeer.client(server.port(), "/in")) {
            WebSocketConnection accepted = next(handler.opens);
            accepted.close(4001, "go");
            assertEquals(new RawPeer.Close(4001, "go"), RawPeer.readClose(peer.getInputStream()));
            byte[] late = "late".getBytes(StandardCharsets.UTF_8);
            peer.getOutputStream().write(RawPeer.frameHeader(1, late.length));
            peer.getOutputStream().write(late);
            assertEquals("late", next(handler.texts));
            assertTrue(handler.closes.isEmpty(), "the handshake is still open");

            Recorder.Closed closed = handler.closes.poll(TyrusConnection.LINGER.toSeconds() + 10, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(closed, "closed after the linger time");
            assertEquals(4001, closed.code());
            peer.setSoTimeout(10_000);
            assertEquals(-1, peer.getInputStream().read(), "the server closed the socket");
        }
    }

    /** Bad input: one server shutting down while another keeps serving. */
    @Test
    void closingOneServerLeavesAnotherServersClientsConnected() throws Exception {
        WebSocketServer first = listen("first");
        WebSocketServer second = listen("second");
        first.addWebSocket("/echo", new Recorder(true));
        second.addWebSocket("/echo", new Recorder(true));
        Recorder firstClient = new Recorder();
        Recorder secondClient = new Recorder();
        connect(first, "/echo", firstClient);
        WebSocketClient survivor = connect(second, "/echo", secondClient);
        next(firstClient.opens);
        next(secondClient.opens);

        first.close();
        Recorder.Closed closed = next(firstClient.closes);
        assertEquals(1001, closed.code());
        assertEquals("Server shutting down", closed.reason());

        assertEquals(WebSocketClient.State.OPEN, survivor.state());
        survivor.sendText("still here").toCompletableFuture().join();
        assertEquals("still here", next(secondClient.texts));
        assertTrue(secondClient.closes.isEmpty());
    }

    private static void text(HttpResponse response, String body) throws IOException {
        response.send(200, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static String get(WebSocketServer server, String path, int expectedStatus) throws IOException {
        HttpURLConnection http = (HttpURLConnection) new URL("http://127.0.0.1:" + server.port() + path).openConnection();
        http.setRequestProperty("X-Test", "yes");
        assertEquals(expectedStatus, http.getResponseCode(), path);
        try (InputStream body = expectedStatus < 400 ? http.getInputStream() : http.getErrorStream()) {
            return body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            http.disconnect();
        }
    }
}
