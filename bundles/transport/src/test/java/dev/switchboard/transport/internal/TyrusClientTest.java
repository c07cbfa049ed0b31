package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.Recorder.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TyrusClientTest {

    /** Small and jitter-free so the schedule can be compared exactly. */
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 0);

    private final TyrusTransport transport = new TyrusTransport();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private static ClientSpec.Builder spec(URI uri) {
        return ClientSpec.builder("test", uri).backoff(FAST).pingInterval(Duration.ZERO).stableAfter(Duration.ofMinutes(1));
    }

    private static URI uri(WebSocketServer server, String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    /** Bad input: the server dies (connection lost, then connection refused) and comes back on the same port. */
    @Test
    void reconnectsWithBackoffAfterTheServerDiesAndReturns() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("flaky").build());
        int port = server.port();
        server.addWebSocket("/echo", new Recorder(true));
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(uri(server, "/echo")).build(), handler);
        next(handler.opens);

        server.close();
        assertEquals(1001, next(handler.closes).code());
        Recorder.Retry first = next(handler.retryQueue);
        assertEquals(1, first.attempt());
        assertTrue(first.reason().startsWith("connection closed: 1001"), first.reason());
        for (int attempt = 2; attempt <= 6; attempt++) {
            Recorder.Retry retry = next(handler.retryQueue);
            assertEquals(attempt, retry.attempt());
            assertTrue(retry.reason().startsWith("connect failed: "), retry.reason());
        }
        assertEquals(List.of(50L, 100L, 200L, 400L, 400L, 400L),
                handler.retries.stream().limit(6).map(retry -> retry.delay().toMillis()).toList());

        WebSocketServer back = transport.listen(ServerSpec.builder("back").port(port).build());
        back.addWebSocket("/echo", new Recorder(true));
        WebSocketConnection reopened = next(handler.opens);
        assertEquals(WebSocketClient.State.OPEN, client.state());
        reopened.sendText("again");
        assertEquals("again", next(handler.texts));
        assertEquals(1, client.metrics().snapshot().reconnects());

        // a reset schedule starts again at the first delay
        client.resetBackoff();
        handler.retryQueue.clear();
        back.close();
        Recorder.Retry afterReset = next(handler.retryQueue);
        assertEquals(1, afterReset.attempt());
        assertEquals(50, afterReset.delay().toMillis());
    }

    @Test
    void aStableConnectionResetsTheSchedule() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("stable").build());
        server.addWebSocket("/ws", new Recorder());
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(uri(server, "/ws")).stableAfter(Duration.ofMillis(100)).build(), handler);
        next(handler.opens);
        client.reconnect("first drop");
        assertEquals(1, next(handler.retryQueue).attempt());
        next(handler.opens);
        // right now the next drop would be attempt 2; after stableAfter (100 ms, waited out ten times over) it is 1
        Thread.sleep(1_000);
        client.reconnect("second drop");
        Recorder.Retry retry = next(handler.retryQueue);
        assertEquals(1, retry.attempt());
        assertTrue(retry.reason().contains("second drop"), retry.reason());
    }

    /** Bad input: a peer that completes the handshake, then answers no ping and reads nothing. */
    @Test
    void deadPeerIsDetectedByMissingPongsAndReconnected() throws Exception {
        try (RawPeer peer = new RawPeer(RawPeer.Behaviour.HANDSHAKE_THEN_SILENT)) {
            Recorder handler = new Recorder();
            transport.connect(spec(peer.uri()).pingInterval(Duration.ofMillis(100)).pongTimeout(Duration.ofMillis(300))
                    .compression(false).build(), handler);
            next(handler.opens);
            Recorder.Closed closed = next(handler.closes);
            assertEquals(1001, closed.code());
            assertTrue(closed.reason().startsWith("Dead peer"), closed.reason());
            Recorder.Retry retry = next(handler.retryQueue);
            assertTrue(retry.reason().contains("Dead peer"), retry.reason());
            next(handler.opens);
            assertTrue(peer.accepted.get() >= 2);
        }
    }

    /** Bad input: a peer that accepts TCP and never answers the upgrade request. */
    @Test
    void handshakeThatNeverCompletesTimesOutAndRetries() throws Exception {
        try (RawPeer peer = new RawPeer(RawPeer.Behaviour.NEVER_HANDSHAKE)) {
            Recorder handler = new Recorder();
            WebSocketClient client = transport.connect(spec(peer.uri()).connectTimeout(Duration.ofMillis(300)).build(), handler);
            Recorder.Retry retry = next(handler.retryQueue);
            assertEquals(1, retry.attempt());
            assertTrue(retry.reason().startsWith("connect "), retry.reason());
            assertEquals(2, next(handler.retryQueue).attempt());
            assertTrue(handler.opens.isEmpty());
            client.close();
            assertEquals(WebSocketClient.State.CLOSED, client.state());
        }
    }

    /** Bad input: a server sending a message larger than the client's limit. */
    @Test
    void oversizeMessageFromServerClosesWith1009AndRetries() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("big").build());
        Recorder serverSide = new Recorder();
        server.addWebSocket("/big", new WebSocketHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                connection.sendText("z".repeat(Integer.parseInt(text)));
            }

            @Override
            public void onClose(WebSocketConnection connection, int code, String reason) {
                serverSide.onClose(connection, code, reason);
            }
        });
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(uri(server, "/big")).maxMessageSize(1000).build(), handler);
        next(handler.opens).sendText("1000");
        assertEquals(1000, next(handler.texts).length());
        client.sendText("5000");
        assertEquals(1009, next(handler.closes).code());
        assertEquals(1009, next(serverSide.closes).code());
        assertTrue(next(handler.retryQueue).reason().startsWith("connection closed: 1009"));
        assertTrue(client.metrics().snapshot().errors() >= 1);
    }

    /** Bad input: a peer that never reads what the client sends. */
    @Test
    void sendQueueOverflowClosesWith1013() throws Exception {
        try (RawPeer peer = new RawPeer(RawPeer.Behaviour.HANDSHAKE_THEN_SILENT)) {
            Recorder handler = new Recorder();
            WebSocketClient client = transport.connect(spec(peer.uri()).sendQueueLimit(4).compression(false).build(), handler);
            WebSocketConnection connection = next(handler.opens);
            String chunk = "q".repeat(256 * 1024);
            CompletionStage<Void> last = null;
            for (int i = 0; i < 2000 && connection.isOpen(); i++) {
                last = connection.sendText(chunk);
            }
            assertThrows(CompletionException.class, last.toCompletableFuture()::join);
            Recorder.Closed closed = next(handler.closes);
            assertEquals(1013, closed.code());
            assertTrue(next(handler.retryQueue).reason().startsWith("connection closed: 1013"));
            client.close();
        }
    }

    @Test
    void sendWhileNotConnectedFailsAtOnceAndCloseStopsRetrying() throws Exception {
        try (RawPeer peer = new RawPeer(RawPeer.Behaviour.NEVER_HANDSHAKE)) {
            Recorder handler = new Recorder();
            WebSocketClient client = transport.connect(spec(peer.uri()).build(), handler);
            CompletionException failure = assertThrows(CompletionException.class,
                    () -> client.sendText("early").toCompletableFuture().join());
            assertTrue(failure.getCause().getMessage().contains("not connected"), failure.getCause().getMessage());
            client.close();
            client.close();
            assertEquals(WebSocketClient.State.CLOSED, client.state());
            assertTrue(client.connection().isEmpty());
        }
    }
}
