package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import dev.switchboard.itests.peers.TextFrames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client as a browser on a channels topic is one: the JDK's client, queueing the text
 * frames it receives, so a test reads them in order.
 */
final class Browser {

    static final long TIMEOUT_SECONDS = 30;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final TextFrames listener = new TextFrames(frames::add);
    /** The close code the server sent, once it closed. */
    final CompletableFuture<Integer> closed = listener.closed();
    private final WebSocket socket;

    Browser(URI uri) throws Exception {
        socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                .buildAsync(uri, listener).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    void send(String text) {
        try {
            socket.sendText(text, true).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not send " + text, e);
        }
    }

    /** The next frame within {@code wait}, or null. */
    String poll(Duration wait) {
        try {
            return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    String next() {
        String frame = poll(Duration.ofSeconds(TIMEOUT_SECONDS));
        assertNotNull("no frame arrived", frame);
        return frame;
    }

    void expect(String frame) {
        assertEquals(frame, next());
    }

    void close() {
        socket.abort();
    }
}
