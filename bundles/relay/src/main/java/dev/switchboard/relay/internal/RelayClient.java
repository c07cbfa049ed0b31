package dev.switchboard.relay.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.Splice;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay client's protocol: one reconnecting control channel to the relay server, registering
 * the tunnel name with the token in its first message, and a {@link LocalCall} per forwarded
 * request. Data connections are connections of their own: they outlive a control channel.
 */
final class RelayClient implements ClientHandler, BodySender.Frames {

    record Settings(String id, URI relayUrl, String token, String tunnel, URI localUrl) implements EndpointSettings {

        InetSocketAddress relayAddress() {
            return new InetSocketAddress(relayUrl.getHost(), relayUrl.getPort() < 0 ? 80 : relayUrl.getPort());
        }

        InetSocketAddress localAddress() {
            return new InetSocketAddress(localUrl.getHost(), localUrl.getPort() < 0 ? 80 : localUrl.getPort());
        }
    }

    /** What the adapter hears of the control channel. */
    interface Listener {
        void registered();

        void lost(int code, String reason);

        void retrying(Duration delay, String reason);
    }

    private final WebSocketTransport transport;
    private final Settings settings;
    private final Listener listener;
    private final Map<Long, LocalCall> calls = new ConcurrentHashMap<>();
    private final Set<Splice> webSockets = ConcurrentHashMap.newKeySet();
    private final LocalConnections localConnections;
    private volatile WebSocketClient client;
    private volatile WebSocketConnection control;

    RelayClient(WebSocketTransport transport, Settings settings, Listener listener) {
        this.transport = transport;
        this.settings = settings;
        this.listener = listener;
        this.localConnections = new LocalConnections(transport, settings.localAddress());
    }

    void start() {
        client = transport.connect(ClientSpec.builder(settings.id(), settings.relayUrl()).compression(false)
                .sendQueueLimit(65_536).stableAfter(Duration.ZERO).build(), this);
    }

    /** Closes the control channel; {@code dropWebSockets} closes the open WebSockets too. */
    void stop(boolean dropWebSockets) {
        WebSocketClient running = client;
        if (running != null) {
            running.close();
        }
        calls.values().forEach(LocalCall::abort);
        localConnections.close();
        if (dropWebSockets) {
            webSockets.forEach(Splice::abort);
        }
    }

    WebSocketTransport transport() {
        return transport;
    }

    Settings settings() {
        return settings;
    }

    LocalConnections localConnections() {
        return localConnections;
    }

    int openWebSockets() {
        return webSockets.size();
    }

    int openRequests() {
        return calls.size();
    }

    int idleLocalConnections() {
        return localConnections.idleCount();
    }

    @Override
    public void sendText(String text) {
        WebSocketConnection connection = control;
        if (connection != null) {
            connection.sendText(text);
        }
    }

    @Override
    public void sendBinary(ByteBuffer frame) {
        WebSocketConnection connection = control;
        if (connection != null) {
            connection.sendBinary(frame);
        }
    }

    void ended(LocalCall call) {
        calls.values().remove(call);
    }

    void spliced(Splice splice) {
        webSockets.add(splice);
    }

    void unspliced(Splice splice) {
        webSockets.remove(splice);
    }

    // --- the control channel ------------------------------------------------------------------------

    @Override
    public void onOpen(WebSocketConnection connection) {
        control = connection;
        connection.sendText(RelayCodec.hello(settings.token(), settings.tunnel()));
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        JsonNode message = RelayCodec.parse(text);
        long id = message.path("id").asLong();
        switch (message.path("type").asText()) {
            case "registered" -> {
                client.resetBackoff();
                listener.registered();
            }
            case "request" -> {
                LocalCall call = new LocalCall(id, this);
                calls.put(id, call);
                call.request(RelayCodec.requestHead(message),
                        RelayCodec.BodyFraming.valueOf(message.path("body").asText("NONE")));
            }
            case "upgrade" -> {
                LocalCall call = new LocalCall(id, this);
                calls.put(id, call);
                call.upgrade(message.path("connection").asText(), RelayCodec.requestHead(message));
            }
            case "ack" -> withCall(id, call -> call.acked(message.path("bytes").asLong()));
            case "abort" -> withCall(id, LocalCall::abort);
            default -> { }
        }
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuffer data) {
        RelayCodec.Frame frame = RelayCodec.frame(data);
        withCall(frame.id(), call -> {
            if (frame.type() == RelayCodec.DATA) {
                call.data(frame.payload());
            } else if (frame.type() == RelayCodec.END) {
                call.end();
            }
        });
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        control = null;
        List.copyOf(calls.values()).forEach(LocalCall::abort);
        calls.clear();
        if (code == RelayServer.UNAUTHORIZED) {
            client.close();
        }
        listener.lost(code, reason);
    }

    @Override
    public void onRetryScheduled(int attempt, Duration delay, String reason) {
        listener.retrying(delay, reason);
    }

    private void withCall(long id, java.util.function.Consumer<LocalCall> action) {
        LocalCall call = calls.get(id);
        if (call != null) {
            action.accept(call);
        }
    }
}
