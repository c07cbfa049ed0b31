package dev.switchboard.transport.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.StreamExchange;
import dev.switchboard.transport.WebSocketServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plain HTTP requests on stream routes: streamed bodies both ways, keep-alive, route precedence. */
class StreamRouteTest {

    private final TyrusTransport transport = new TyrusTransport();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void bodiesStreamBothWaysOnAKeptAliveConnection() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("routes").build());
        server.addStream("/echo/", this::echo);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] body = new byte[3 << 20];
        new Random(7).nextBytes(body);
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/echo/x?y=1");

        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertEquals("/echo/x?y=1", response.headers().firstValue("X-Target").orElseThrow());
            assertArrayEquals(body, response.body());
        }
        assertEquals(1, clientPorts.size(), "one kept-alive connection, got " + clientPorts);
    }

    /**
     * Bad input: a route whose answer, sent from another thread, has ended before the handler reads
     * the request's address and body. The request must still be the handler's (not recycled for the
     * next request of the kept-alive connection), on every request of the connection.
     */
    @Test
    void anAnswerThatEndsBeforeItsHandlerReturnsLeavesTheRequestToTheHandler() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("routes").build());
        ExecutorService answering = Executors.newSingleThreadExecutor();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        server.addStream("/fast/", exchange -> {
            try {
                answering.submit(() -> answer(exchange, "fast")).get(10, TimeUnit.SECONDS);
                clientPorts.add(exchange.remoteAddress().getPort());
                exchange.body().receive(new ByteReceiver() {
                    @Override
                    public void onBytes(ByteBuffer bytes) {
                        failures.add(new AssertionError("a GET has no body, got " + bytes.remaining() + " bytes"));
                    }

                    @Override
                    public void onEnd() {
                        // the body of a GET: nothing
                    }
                });
            } catch (Exception | Error e) {
                failures.add(e);
            }
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            for (int i = 0; i < 20; i++) {
                assertEquals("fast", get(client, server.port(), "/fast/" + i));
            }
        } finally {
            answering.shutdownNow();
        }
        assertEquals(List.of(), failures);
        assertEquals(1, clientPorts.size(), "one kept-alive connection, got " + clientPorts);
    }

    @Test
    void httpRoutesWithALongerPrefixAndWebSocketPathsKeepTheirRequests() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("routes").build());
        server.addHttp("/api/status", (request, response) -> response.send(200, "text/plain", "http".getBytes(UTF_8)));
        server.addStream("/api/", exchange -> answer(exchange, "stream"));
        server.addStreamFallback(exchange -> answer(exchange, "fallback"));
        HttpClient client = HttpClient.newHttpClient();

        assertEquals("http", get(client, server.port(), "/api/status"));
        assertEquals("stream", get(client, server.port(), "/api/other"));
        assertEquals("fallback", get(client, server.port(), "/anything"));
    }

    @Test
    void pathsOfWebSocketRoutesMatchTheirTemplates() {
        assertTrue(StreamRoutes.matches("/_ws_proxy/{id}", "/_ws_proxy/abc"));
        assertTrue(!StreamRoutes.matches("/_ws_proxy/{id}", "/_ws_proxy/"));
        assertTrue(!StreamRoutes.matches("/_ws_proxy/{id}", "/_ws_proxy/a/b"));
        assertTrue(StreamRoutes.matches("/_relay/control", "/_relay/control"));
    }

    private static String get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void answer(StreamExchange exchange, String text) {
        byte[] bytes = text.getBytes(UTF_8);
        ByteSink body = exchange.respond(200, "OK", List.of(new HttpHeader("Content-Length", "" + bytes.length)));
        body.write(ByteBuffer.wrap(bytes));
        body.end();
    }

    /** Streams the request body back as it arrives (chunked), with the backpressure of the response. */
    /**
     * Bad input: two hundred requests on one kept-alive connection (Grizzly closes it after 256), each registering an abort task.
     * An ended exchange's task must leave the connection: each one once stayed, holding its request,
     * and made every later answer slower.
     */
    @Test
    void endedExchangesLeaveNoCloseListenersOnAKeptAliveConnection() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("routes").build());
        List<Integer> listeners = new CopyOnWriteArrayList<>();
        server.addStream("/quick/", exchange -> {
            exchange.onAbort(() -> { });
            listeners.add(closeListeners(exchange));
            ByteSink out = exchange.respond(200, "OK", List.of(new HttpHeader("Content-Length", "2")));
            out.write(ByteBuffer.wrap("ok".getBytes(UTF_8)));
            out.end();
        });
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            byte[] request = "GET /quick/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8);
            for (int i = 0; i < 200; i++) {
                socket.getOutputStream().write(request);
                String head = RawPeer.readHead(socket.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                assertEquals("ok", new String(socket.getInputStream().readNBytes(2), UTF_8));
            }
        }
        assertTrue(listeners.get(199) <= listeners.get(0) + 1,
                "close listeners grow with the connection's requests: " + listeners.get(0) + " then " + listeners.get(199));
    }

    /** The close listeners on the exchange's Grizzly connection. */
    private static int closeListeners(StreamExchange exchange) {
        try {
            java.lang.reflect.Field field = HttpStreamExchange.class.getDeclaredField("connection");
            field.setAccessible(true);
            Object connection = field.get(exchange);
            java.lang.reflect.Field list = org.glassfish.grizzly.nio.NIOConnection.class.getDeclaredField("closeListeners");
            list.setAccessible(true);
            return ((List<?>) list.get(connection)).size();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private void echo(StreamExchange exchange) {
        clientPorts.add(exchange.remoteAddress().getPort());
        ByteSink out = exchange.respond(200, "OK", List.of(new HttpHeader("X-Target", exchange.request().target())));
        var body = exchange.body();
        body.receive(new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                if (!out.write(bytes)) {
                    body.pause();
                    out.whenWritable(body::resume);
                }
            }

            @Override
            public void onEnd() {
                out.end();
            }
        });
    }
}
