package dev.switchboard.itests.distribution;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A WebSocket client of a channels endpoint speaking seed 002's [topic, event, payload] frames. */
final class ChannelsClient implements WebSocket.Listener, AutoCloseable {

    private final List<String> frames = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;
    private volatile boolean closed;

    private ChannelsClient(URI uri) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, this).get(20, TimeUnit.SECONDS);
    }

    static ChannelsClient connect(URI uri) throws Exception {
        return new ChannelsClient(uri);
    }

    /** Subscribes to {@code topic} and waits for the history the chat channel answers with. */
    ChannelsClient join(String topic) throws Exception {
        send("[\"" + topic + "\",\"subscribe\",{}]");
        Installation.await("history of " + topic + " arrives", Duration.ofSeconds(20),
                () -> frames.stream().anyMatch(f -> f.startsWith("[\"" + topic + "\",\"history\"")));
        return this;
    }

    /** Posts chat text on {@code topic}, as {@code author}. */
    void say(String topic, String author, String text) throws Exception {
        send("[\"" + topic + "\",\"message\",{\"author\":\"" + author + "\",\"text\":\"" + text + "\"}]");
    }

    void send(String frame) throws Exception {
        socket.sendText(frame, true).get(10, TimeUnit.SECONDS);
    }

    List<String> frames() {
        return List.copyOf(frames);
    }

    boolean received(String text) {
        return frames.stream().anyMatch(f -> f.contains(text));
    }

    boolean isOpen() {
        return !closed && !socket.isInputClosed();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (partial) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed = true;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = true;
    }

    @Override
    public void close() {
        if (!closed) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS);
        }
        socket.abort();
    }
}
