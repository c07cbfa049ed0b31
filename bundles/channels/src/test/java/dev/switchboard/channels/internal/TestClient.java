package dev.switchboard.channels.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A browser stand-in: a JDK WebSocket client on loopback that queues every text frame it receives
 * and remembers how it was closed. A paused client stops reading, as a stalled browser tab does.
 */
final class TestClient implements WebSocket.Listener, AutoCloseable {

    /** Generous: only a failure ever waits this long. */
    static final long TIMEOUT_SECONDS = 20;

    record Closed(int code, String reason) {
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;
    private volatile boolean paused;

    private TestClient(URI uri, boolean paused) throws Exception {
        this.paused = paused;
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                .buildAsync(uri, this).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    static TestClient connect(String url) throws Exception {
        return new TestClient(URI.create(url), false);
    }

    /** A client that reads nothing until {@link #resume()}. */
    static TestClient stalled(String url) throws Exception {
        return new TestClient(URI.create(url), true);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (!paused) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(partial.toString());
            partial.setLength(0);
        }
        if (!paused) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(1006, String.valueOf(error)));
    }

    void resume() {
        paused = false;
        socket.request(Long.MAX_VALUE);
    }

    TestClient send(String text) throws Exception {
        socket.sendText(text, true).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    TestClient sendBinary(String text) throws Exception {
        socket.sendBinary(java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), true)
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    /** The next frame received; fails when none comes. */
    String next() throws InterruptedException {
        String frame = frames.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(frame, "no frame arrived");
        return frame;
    }

    void expect(String frame) throws InterruptedException {
        assertEquals(frame, next());
    }

    /**
     * Proves that nothing was sent in reply to what this client sent before: a probe's reply is the
     * next frame, and the connection is still open.
     */
    void expectNothingBeforeProbe() throws Exception {
        send("[\"probe\",\"subscribe\",{}]");
        expect("[\"probe\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: probe\"}]");
    }

    Closed awaitClose() throws Exception {
        return closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (Exception alreadyGone) {
            // the server closed it first
        }
        socket.abort();
    }
}
