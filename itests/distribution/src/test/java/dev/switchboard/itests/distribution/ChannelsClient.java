package dev.switchboard.itests.distribution;

import dev.switchboard.itests.peers.TextFrames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A WebSocket client of a channels endpoint speaking seed 002's [topic, event, payload] frames. */
final class ChannelsClient implements AutoCloseable {

    private final List<String> frames = new CopyOnWriteArrayList<>();
    private final TextFrames listener = new TextFrames(frames::add);
    private final WebSocket socket;

    private ChannelsClient(URI uri) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener).get(20, TimeUnit.SECONDS);
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
        return !listener.closed().isDone() && !socket.isInputClosed();
    }

    @Override
    public void close() {
        if (!listener.closed().isDone()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS);
        }
        socket.abort();
    }
}
