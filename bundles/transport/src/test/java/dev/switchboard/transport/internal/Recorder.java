package dev.switchboard.transport.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.WebSocketConnection;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A handler that records every event for a test to await; echoes text when asked to. */
class Recorder implements ClientHandler {

    record Closed(WebSocketConnection connection, int code, String reason) {
    }

    record Retry(int attempt, Duration delay, String reason) {
    }

    final BlockingQueue<WebSocketConnection> opens = new LinkedBlockingQueue<>();
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    /** Binary messages, copied. */
    final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
    final BlockingQueue<Closed> closes = new LinkedBlockingQueue<>();
    final BlockingQueue<Retry> retryQueue = new LinkedBlockingQueue<>();
    final List<Retry> retries = new CopyOnWriteArrayList<>();
    private final boolean echo;

    Recorder() {
        this(false);
    }

    Recorder(boolean echo) {
        this.echo = echo;
    }

    @Override
    public void onOpen(WebSocketConnection connection) {
        opens.add(connection);
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        texts.add(text);
        if (echo) {
            connection.sendText(text);
        }
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        binaries.add(copy);
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        closes.add(new Closed(connection, code, reason));
    }

    @Override
    public void onRetryScheduled(int attempt, Duration delay, String reason) {
        Retry retry = new Retry(attempt, delay, reason);
        retries.add(retry);
        retryQueue.add(retry);
    }

    static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T value = queue.poll(10, TimeUnit.SECONDS);
        assertNotNull(value, "nothing arrived within 10 s");
        return value;
    }
}
