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
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
    /**
     * A client's close is a handshake too (RFC 6455 §7.1.1): every message the server sent before
     * it read our Close is delivered, then onClose with our code. The server writes as fast as it
     * can until it hears the Close.
     */
    @Test
    void aClientCloseDeliversWhatTheServerSentBeforeItReadTheClose() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("talker").pingInterval(Duration.ZERO).build());
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch serverHeard = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> talking = new java.util.concurrent.atomic.AtomicReference<>();
        server.addWebSocket("/talk", new WebSocketHandler() {
            @Override
            public void onOpen(WebSocketConnection connection) {
                Thread talker = new Thread(() -> {
                    while (connection.isOpen()) {
                        try {
                            connection.sendText("m" + sent.get()).toCompletableFuture().join();
                        } catch (CompletionException e) {
                            return;
                        }
                        sent.incrementAndGet();
                    }
                }, "talker");
                talker.setDaemon(true);
                talking.set(talker);
                talker.start();
            }

            @Override
            public void onClose(WebSocketConnection connection, int code, String reason) {
                serverHeard.countDown();
            }
        });
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(uri(server, "/talk")).build(), handler);
        next(handler.opens);
        List<String> received = new java.util.ArrayList<>();
        while (received.size() < 200) {
            received.add(next(handler.texts));
        }

        client.close();
        assertEquals(1000, next(handler.closes).code());
        assertTrue(serverHeard.await(10, TimeUnit.SECONDS));
        // the talker counts a message once its send completed: let it count its last one
        talking.get().join(10_000);
        handler.texts.drainTo(received);
        assertTrue(sent.get() > 200, "the server kept sending while our Close was on its way: " + sent.get());
        assertEquals(sent.get(), received.size(), "every message the server sent before it read our Close");
        for (int i = 0; i < received.size(); i++) {
            assertEquals("m" + i, received.get(i));
        }
    }

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
        // right now the next drop would be attempt 2; once stableAfter (100 ms) has passed it is 1
        Await.until("the connection to prove stable", () -> ((TyrusClient) client).attempt() == 0);
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

    /** A fresh start (say a new login) reconnects at once, without a retry wait, and the schedule starts over. */
    @Test
    void reconnectNowReconnectsAtOnceWithTheScheduleReset() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("now").build());
        Recorder serverSide = new Recorder();
        server.addWebSocket("/ws", serverSide);
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(uri(server, "/ws")).stableAfter(Duration.ZERO).build(), handler);
        next(handler.opens);
        client.reconnect("first drop");
        assertEquals(1, next(handler.retryQueue).attempt());
        next(handler.opens);
        client.reconnect("second drop");
        assertEquals(2, next(handler.retryQueue).attempt());
        next(handler.opens);
        next(serverSide.closes);
        next(serverSide.closes);

        client.reconnectNow("fresh login");
        Recorder.Closed dropped = next(serverSide.closes);
        assertEquals(1001, dropped.code(), "the server reads 1001 from the wire");
        assertEquals("fresh login", dropped.reason());
        assertEquals(1001, next(handler.closes).code());
        next(handler.opens);
        assertTrue(handler.retryQueue.isEmpty(), "no retry wait: " + handler.retryQueue);
        assertEquals(WebSocketClient.State.OPEN, client.state());

        client.reconnect("after the fresh start");
        assertEquals(1, next(handler.retryQueue).attempt(), "the schedule starts over");
    }

    /** A retry scheduled a day ahead is cut short by reconnectNow. */
    @Test
    void reconnectNowCutsAPendingRetryShort() throws Exception {
        WebSocketServer probe = transport.listen(ServerSpec.builder("probe").build());
        int port = probe.port();
        probe.close();
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(URI.create("ws://127.0.0.1:" + port + "/ws"))
                .backoff(new Backoff(Duration.ofDays(1), Duration.ofDays(1), 0)).build(), handler);
        Recorder.Retry refused = next(handler.retryQueue);
        assertEquals(Duration.ofDays(1), refused.delay());
        assertEquals(WebSocketClient.State.RETRY_WAIT, client.state());

        WebSocketServer server = transport.listen(ServerSpec.builder("back").port(port).build());
        server.addWebSocket("/ws", new Recorder());
        client.reconnectNow("the server is back");
        next(handler.opens);
        assertEquals(WebSocketClient.State.OPEN, client.state());
    }

    /**
     * Bad input: the server closes with 4429 (rate limited). The handler asks, from inside its
     * onClose, for no reconnect before a given delay: that delay and reason are what the retry
     * reports, and the client comes back after it.
     */
    @Test
    void reconnectNotBeforeWaitsTheGivenDelayAndReportsIt() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("limited").build());
        server.addWebSocket("/ws", new WebSocketHandler() {
            private boolean limited;

            @Override
            public synchronized void onOpen(WebSocketConnection connection) {
                if (!limited) {
                    limited = true;
                    connection.close(4429, "Too many requests");
                }
            }
        });
        WebSocketClient[] client = new WebSocketClient[1];
        Recorder handler = new Recorder() {
            @Override
            public void onClose(WebSocketConnection connection, int code, String reason) {
                if (code == 4429) {
                    client[0].reconnectNotBefore(Duration.ofMillis(300), "rate limited (4429)");
                }
                super.onClose(connection, code, reason);
            }
        };
        client[0] = transport.connect(spec(uri(server, "/ws")).build(), handler);
        next(handler.opens);
        assertEquals(4429, next(handler.closes).code());
        Recorder.Retry retry = next(handler.retryQueue);
        // the normal schedule may have announced its retry before onClose ran; the 4429 one replaces it
        if (!retry.reason().equals("rate limited (4429)")) {
            Recorder.Retry replacing = next(handler.retryQueue);
            assertEquals(retry.attempt(), replacing.attempt(), "a replaced retry keeps its attempt number");
            retry = replacing;
        }
        assertEquals("rate limited (4429)", retry.reason());
        assertEquals(Duration.ofMillis(300), retry.delay());
        assertEquals(1, retry.attempt());
        next(handler.opens);
        assertEquals(WebSocketClient.State.OPEN, client[0].state());
    }

    /** An open connection told to wait a day is dropped with 1001 and waits; reconnectNow ends the wait. */
    @Test
    void reconnectNotBeforeDropsAnOpenConnectionAndWaits() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("later").build());
        Recorder serverSide = new Recorder();
        server.addWebSocket("/ws", serverSide);
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(uri(server, "/ws")).build(), handler);
        next(handler.opens);

        client.reconnectNotBefore(Duration.ofDays(1), "come back tomorrow");
        assertEquals(WebSocketClient.State.RETRY_WAIT, client.state());
        assertEquals(1001, next(serverSide.closes).code());
        assertEquals(1001, next(handler.closes).code());
        Recorder.Retry retry = next(handler.retryQueue);
        assertEquals(new Recorder.Retry(1, Duration.ofDays(1), "come back tomorrow"), retry);
        assertTrue(client.connection().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> client.reconnectNotBefore(Duration.ofMillis(-1), "bad"));

        client.reconnectNow("changed our mind");
        next(handler.opens);
    }

    /** stableAfter zero: however long a connection stays open, only resetBackoff starts the schedule over. */
    @Test
    void stableAfterZeroLeavesTheResetToTheCaller() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("explicit").build());
        server.addWebSocket("/ws", new Recorder());
        Recorder handler = new Recorder();
        WebSocketClient client = transport.connect(spec(uri(server, "/ws")).stableAfter(Duration.ZERO).build(), handler);
        for (int attempt = 1; attempt <= 3; attempt++) {
            next(handler.opens);
            client.reconnect("drop " + attempt);
            assertEquals(attempt, next(handler.retryQueue).attempt());
        }
        next(handler.opens);
        client.resetBackoff();
        client.reconnect("after the reset");
        assertEquals(1, next(handler.retryQueue).attempt());
        assertThrows(IllegalArgumentException.class,
                () -> spec(uri(server, "/ws")).stableAfter(Duration.ofSeconds(-1)).build());
    }

    /** Where a handler calls close(): every callback, on the thread Tyrus or the transport calls it on. */
    enum Callback { ON_OPEN, ON_TEXT, ON_ERROR, ON_CLOSE, ON_RETRY_SCHEDULED, SEND_COMPLETION }

    /**
     * close() from inside any callback returns at once, leaves the client CLOSED for good, sends
     * 1000 on the wire when the connection was still open, and leaves none of the client's
     * threads behind; no hand-off thread is needed. The handler's onClose comes after the
     * callback that closed returned, never nested inside it.
     */
    @ParameterizedTest
    @EnumSource(Callback.class)
    void closeIsSafeFromInsideEveryCallback(Callback where) throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("callbacks").pingInterval(Duration.ZERO).build());
        Recorder serverSide = new Recorder(true);
        server.addWebSocket("/ws", serverSide);
        String name = "close-" + where.name().toLowerCase(java.util.Locale.ROOT);
        CompletableFuture<WebSocketClient> client = new CompletableFuture<>();
        BlockingQueue<String> returned = new LinkedBlockingQueue<>();
        ThreadLocal<Callback> closingIn = new ThreadLocal<>();
        List<String> nested = new java.util.concurrent.CopyOnWriteArrayList<>();
        Recorder handler = new Recorder() {
            private void closeIf(Callback here) {
                if (here == where) {
                    closingIn.set(here);
                    try {
                        client.join().close();
                    } finally {
                        closingIn.remove();
                    }
                    returned.add(Thread.currentThread().getName());
                }
            }

            @Override
            public void onOpen(WebSocketConnection connection) {
                super.onOpen(connection);
                closeIf(Callback.ON_OPEN);
                switch (where) {
                    case ON_TEXT, ON_ERROR -> connection.sendText("echo me");
                    case SEND_COMPLETION -> connection.sendText("x".repeat(64 * 1024))
                            .thenRun(() -> closeIf(Callback.SEND_COMPLETION));
                    case ON_CLOSE, ON_RETRY_SCHEDULED -> connection.sendText("close me");
                    default -> { }
                }
            }

            @Override
            public void onText(WebSocketConnection connection, String text) {
                super.onText(connection, text);
                closeIf(Callback.ON_TEXT);
                if (where == Callback.ON_ERROR) {
                    // what Tyrus calls on a transport error, on the connection's own thread
                    ((TyrusConnection) connection).failed(new IOException("simulated transport error"));
                }
            }

            @Override
            public void onError(WebSocketConnection connection, Throwable error) {
                closeIf(Callback.ON_ERROR);
            }

            @Override
            public void onClose(WebSocketConnection connection, int code, String reason) {
                if (closingIn.get() != null) {
                    nested.add("onClose inside " + closingIn.get());
                }
                super.onClose(connection, code, reason);
                closeIf(Callback.ON_CLOSE);
            }

            @Override
            public void onRetryScheduled(int attempt, Duration delay, String reason) {
                super.onRetryScheduled(attempt, delay, reason);
                closeIf(Callback.ON_RETRY_SCHEDULED);
            }
        };
        if (where == Callback.ON_CLOSE || where == Callback.ON_RETRY_SCHEDULED) {
            server.addWebSocket("/closing", new WebSocketHandler() {
                @Override
                public void onText(WebSocketConnection connection, String text) {
                    connection.close(1001, "Server restarting");
                }
            });
        }
        String path = where == Callback.ON_CLOSE || where == Callback.ON_RETRY_SCHEDULED ? "/closing" : "/ws";
        client.complete(transport.connect(ClientSpec.builder(name, uri(server, path)).backoff(FAST)
                .pingInterval(Duration.ZERO).build(), handler));

        String thread = returned.poll(10, TimeUnit.SECONDS);
        assertTrue(thread != null, "close() returned inside " + where);
        assertEquals(WebSocketClient.State.CLOSED, client.join().state());
        if (path.equals("/ws")) {
            Recorder.Closed closed = next(serverSide.closes);
            assertEquals(1000, closed.code(), "the server reads 1000 from the wire");
            assertEquals("Client closed", closed.reason());
        }
        Await.until("the client's threads to end", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("switchboard-ws-client-" + name)));
        next(handler.closes);
        assertEquals(List.of(), nested);
        assertTrue(handler.opens.size() <= 1 && handler.retryQueue.size() <= 1,
                "no reconnect after close: " + handler.opens + " " + handler.retryQueue);
    }
}
