package dev.switchboard.itests.peers;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client independent of Switchboard's own (the JDK's), as a browser's script uses one:
 * whole text and binary messages queued in arrival order, the close code the far side sent.
 */
public final class EchoClient implements WebSocket.Listener, AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final TextFrames text = new TextFrames(received::add);
    // the JDK calls one listener method at a time, so the partial message needs no lock
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final WebSocket socket;

    private EchoClient(URI uri) throws Exception {
        socket = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(uri, this)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    public static EchoClient connect(URI uri) throws Exception {
        return new EchoClient(uri);
    }

    public void sendText(String message) throws Exception {
        socket.sendText(message, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    public void sendBinary(byte[] message) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(message), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The next whole message, a String or a byte[]; fails when none comes. */
    public Object next() throws InterruptedException {
        Object message = received.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + TIMEOUT.toSeconds() + " s");
        }
        return message;
    }

    /** The code the far side closed with (1006 on an error); fails when it does not close. */
    public int closeCode() throws Exception {
        return text.closed().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        return text.onText(webSocket, data, last);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            received.add(binary.toByteArray());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        return text.onClose(webSocket, statusCode, reason);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        text.onError(webSocket, error);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
