package dev.switchboard.proxy.internal;

import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketTransport;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the agent's tunnel connections: dials the controller with the transport's reconnecting
 * client, says hello (naming the agent's instance and which connection this is), and serves the
 * streams the controller opens on it with {@code acceptor} (PROTOCOL.md §1, §6).
 */
final class ProxyAgent implements ClientHandler {

    static final int MAX_FRAME = 262_144;
    private static final Logger LOG = LoggerFactory.getLogger(ProxyAgent.class);

    /** What the agent tells its endpoint. */
    interface Events {
        void connected(String controller);

        void lost(String reason);

        void refused(int code, String reason);

        void retrying(Duration delay, String reason);
    }

    private final String endpointId;
    private final URI controller;
    private final ProxyCodec.Hello hello;
    private final Tunnel.Acceptor acceptor;
    private final Events events;
    private volatile WebSocketClient client;
    private volatile Tunnel tunnel;
    private volatile int pingSeconds = 30;

    ProxyAgent(String endpointId, URI controller, ProxyCodec.Hello hello, Tunnel.Acceptor acceptor, Events events) {
        this.endpointId = endpointId;
        this.controller = controller;
        this.hello = hello;
        this.acceptor = acceptor;
        this.events = events;
    }

    void start(WebSocketTransport transport) {
        client = transport.connect(ClientSpec.builder(hello.tunnels() == 1 ? endpointId
                : endpointId + "." + hello.tunnel(), controller).compression(false)
                .pingInterval(Duration.ZERO).maxMessageSize(4 * MAX_FRAME)
                .sendQueueLimit(4 * TunnelWriter.MESSAGES_IN_FLIGHT)
                // only a welcome proves the session good
                .stableAfter(Duration.ZERO).build(), this);
    }

    void stop(int code, String reason) {
        Tunnel open = tunnel;
        if (open != null) {
            open.close(code, reason);
        }
        WebSocketClient running = client;
        if (running != null) {
            running.close();
        }
    }

    /** The tunnel while connected. */
    Tunnel tunnel() {
        return tunnel;
    }

    WebSocketClient client() {
        return client;
    }

    /** Pings the controller and drops a tunnel that stopped answering (PROTOCOL.md §6). */
    void keepAlive() {
        Tunnel open = tunnel;
        if (open == null) {
            return;
        }
        if (open.silentNanos() > Duration.ofSeconds(pingSeconds + 10L).toNanos()) {
            open.close(1001, "peer not answering");
        } else {
            open.ping();
        }
    }

    /** Drops the tunnel, its streams ended; the client reconnects on its schedule. */
    void disconnect(String reason) {
        Tunnel open = tunnel;
        if (open != null) {
            open.close(1001, reason);
        }
    }

    // --- the tunnel's WebSocket --------------------------------------------------------------------

    /**
     * Tunnel messages are handled on the thread that read them: services are connected to without
     * waiting, their bytes written through their connections' write queues. (A service named by a
     * host name is looked up there, once per 30 s by the JVM's cache; name services by address
     * where a slow resolver is a concern.)
     */
    @Override
    public boolean neverBlocks() {
        return true;
    }

    @Override
    public void onOpen(WebSocketConnection connection) {
        connection.sendText(ProxyCodec.hello(hello));
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        if (tunnel != null) {
            connection.close(TunnelProtocolException.CLOSE_CODE, "text message after welcome");
            return;
        }
        ProxyCodec.Welcome welcome;
        try {
            welcome = ProxyCodec.readWelcome(text);
        } catch (TunnelProtocolException e) {
            connection.close(TunnelProtocolException.CLOSE_CODE, e.getMessage());
            return;
        }
        pingSeconds = welcome.pingSeconds();
        tunnel = new Tunnel(hello.name(), TunnelOutput.over(connection), hello.window(), MAX_FRAME, welcome.window(),
                welcome.maxFrame(), acceptor, null);
        client.resetBackoff();
        events.connected(controller.toString());
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuffer data) {
        Tunnel open = tunnel;
        if (open == null) {
            connection.close(TunnelProtocolException.CLOSE_CODE, "binary frame before welcome");
            return;
        }
        open.receive(data);
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        Tunnel open = tunnel;
        tunnel = null;
        String why = reason == null || reason.isBlank() ? "closed with " + code : reason + " (" + code + ")";
        if (open != null) {
            open.lost(why);
        }
        if (code == 4401 || code == 4409) {
            if (hello.tunnel() == 0) { // one line for the agent, not one per connection
                LOG.error("{}: the controller refused agent \"{}\": {}", endpointId, hello.name(), why);
            }
            events.refused(code, why);
            // a wrong token or a second agent of this name: retry only slowly (PROTOCOL.md §5)
            client.reconnectNotBefore(Backoff.STANDARD.max(), why);
        } else if (open != null) {
            events.lost(why);
        }
    }

    @Override
    public void onRetryScheduled(int attempt, Duration delay, String reason) {
        events.retrying(delay, reason);
    }
}
