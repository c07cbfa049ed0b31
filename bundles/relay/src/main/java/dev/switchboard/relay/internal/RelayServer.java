package dev.switchboard.relay.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.ExchangeLog;
import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.Splice;
import dev.switchboard.transport.StreamExchange;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay server's protocol: one listener carrying the control channel
 * ({@value #CONTROL_PATH}), the data connections ({@value #DATA_PREFIX}{@code <connection id>})
 * and every browser request, routed to a tunnel by its Host.
 */
final class RelayServer {

    static final String CONTROL_PATH = "/_relay/control";
    static final String DATA_PREFIX = "/_ws_proxy/";
    static final int MALFORMED = 4400;
    static final int UNAUTHORIZED = 4401;
    static final int NAME_HELD = 4409;
    static final int TOO_MANY = 4429;
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(5);
    static final Duration UPGRADE_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_HEAD = 16 * 1024;
    private static final String TUNNEL = "relay.tunnel";

    record Settings(String id, String host, int port, String domain, String defaultTunnel, List<String> tokens,
                    int maxTunnels, int maxWebSocketsPerTunnel, Duration requestTimeout, boolean requestLog)
            implements EndpointSettings {
    }

    /** What the adapter does with what happens here: events, timers. */
    interface Events extends ServerCall.Relay {
        void event(String tunnel, String event, Map<String, Object> data);
    }

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final WebSocketTransport transport;
    private final Settings settings;
    private final Events events;
    private final Tokens tokens;
    private final Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();
    private final Map<String, ServerCall> upgrades = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ExchangeLog inspector = new ExchangeLog();
    private volatile WebSocketServer server;

    RelayServer(WebSocketTransport transport, Settings settings, Events events) {
        this.transport = transport;
        this.settings = settings;
        this.events = events;
        this.tokens = new Tokens(settings.tokens());
    }

    void start() throws IOException {
        WebSocketServer listening = transport.listen(ServerSpec.builder(settings.id()).host(settings.host())
                .port(settings.port()).compression(false).sendQueueLimit(65_536)
                // a browser connection that never completes its request head is closed after the same time
                .headTimeout(settings.requestTimeout()).build());
        server = listening;
        listening.addWebSocket(CONTROL_PATH, new Control());
        listening.addStream(DATA_PREFIX, this::dataConnection);
        listening.addStreamFallback(exchange -> browserRequest(inspector.watch(exchange)));
    }

    void stop(int code, String reason) {
        WebSocketServer listening = server;
        server = null;
        for (Tunnel tunnel : tunnels.values()) {
            tunnel.webSockets.values().forEach(Splice::abort);
        }
        if (listening != null) {
            listening.close(code, reason);
        }
    }

    int port() {
        return server.port();
    }

    Map<String, Tunnel> tunnels() {
        return tunnels;
    }

    /** The last browser requests and WebSockets, for the console's tunnel inspector. */
    ExchangeLog inspector() {
        return inspector;
    }

    // --- browsers -------------------------------------------------------------------------------

    private void browserRequest(StreamExchange exchange) {
        RequestHead head = exchange.request();
        Optional<String> name = tunnelName(head.header("Host").orElse(""));
        Tunnel tunnel = name.map(tunnels::get).orElse(null);
        if (head.bytes().length > MAX_HEAD) {
            ServerCall.page(exchange, 431, "The request's headers are over " + MAX_HEAD + " bytes.");
            return;
        }
        if (tunnel == null) {
            ServerCall.page(exchange, 404, name.map(n -> "No tunnel named " + n + " is connected.")
                    .orElse("No tunnel for this host."));
            return;
        }
        ServerCall call = new ServerCall(ids.incrementAndGet(), exchange, tunnel, events, settings.requestTimeout());
        if (exchange.isUpgrade()) {
            upgrade(call);
        } else {
            tunnel.calls.put(call.id, call);
            call.start(HopByHop.forward(head, exchange.remoteAddress().getAddress().getHostAddress(), "http"));
        }
    }

    private void upgrade(ServerCall call) {
        Tunnel tunnel = call.tunnel;
        if (tunnel.webSockets.size() >= settings.maxWebSocketsPerTunnel()) {
            call.fail(503, "The tunnel has too many open WebSockets.");
            return;
        }
        String connectionId = Tokens.connectionId();
        upgrades.put(connectionId, call);
        tunnel.calls.put(call.id, call);
        events.later(UPGRADE_TIMEOUT, () -> {
            if (upgrades.remove(connectionId, call)) {
                call.fail(504, "The tunnel's service did not answer the upgrade in time.");
            }
        });
        call.startUpgrade(connectionId, HopByHop.forward(call.exchange.request(),
                call.exchange.remoteAddress().getAddress().getHostAddress(), "http"));
    }

    /** {@code app.localhost:8030} names tunnel {@code app}; a Host naming none the default tunnel, if any. */
    Optional<String> tunnelName(String host) {
        String bare = host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
        String suffix = "." + settings.domain().toLowerCase(Locale.ROOT);
        if (bare.endsWith(suffix) && bare.length() > suffix.length()) {
            String label = bare.substring(0, bare.length() - suffix.length());
            if (!label.contains(".")) {
                return Optional.of(label);
            }
        }
        return settings.defaultTunnel().isEmpty() ? Optional.empty() : Optional.of(settings.defaultTunnel());
    }

    // --- data connections -------------------------------------------------------------------------

    /** A client's data connection for one upgrade: paired once, with the right tunnel and token, or 404. */
    private void dataConnection(StreamExchange exchange) {
        RequestHead head = exchange.request();
        String connectionId = head.path().substring(DATA_PREFIX.length());
        ServerCall call = upgrades.get(connectionId);
        String token = head.header("Authorization").map(v -> v.replaceFirst("^Bearer ", "")).orElse("");
        boolean own = call != null && exchange.isUpgrade()
                && call.tunnel.name.equals(head.header("Relay-Tunnel").orElse(""))
                && Tokens.same(call.tunnel.token, token);
        ResponseHead local = own ? localHead(head) : null;
        if (local == null || !upgrades.remove(connectionId, call) || !call.claimForSplice()) {
            LOG.info("{}: data connection from {} refused: unknown, expired, used or foreign connection id",
                    settings.id(), exchange.remoteAddress().getAddress().getHostAddress());
            ServerCall.page(exchange, 404, "No such connection.");
            return;
        }
        ByteStream data = exchange.switchProtocols(List.of());
        ByteStream browser = call.exchange.switchProtocols(HopByHop.forward(local).headers());
        Tunnel tunnel = call.tunnel;
        long opened = System.nanoTime();
        tunnel.recordConnect((opened - call.startNanos) / 1000);
        Splice splice = Splice.join(browser, data, (ended, reset) -> {
            tunnel.webSockets.remove(connectionId);
            tunnel.recordWebSocket(ended.bytesAToB(), ended.bytesBToA());
            events.event(tunnel.name, "websocket-closed", Map.of("connection", connectionId, "path", call.exchange
                    .request().path(), "bytesIn", ended.bytesAToB(), "bytesOut", ended.bytesBToA(), "ms",
                    (System.nanoTime() - opened) / 1_000_000, "reset", reset));
        });
        tunnel.webSockets.put(connectionId, splice);
        events.event(tunnel.name, "websocket-opened", Map.of("connection", connectionId,
                "path", call.exchange.request().path()));
    }

    /** The service's 101 head, which the client sends along in its data connection's head. */
    private static ResponseHead localHead(RequestHead head) {
        try {
            byte[] bytes = Base64.getDecoder().decode(head.header("Relay-Response").orElse(""));
            ResponseHead local = ResponseHead.parse(bytes, bytes.length);
            return local.status() == 101 ? local : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // --- the control channel ----------------------------------------------------------------------

    /** Closes a WebSocket by its connection id (the sink's {@code close} event). */
    boolean closeWebSocket(String connectionId) {
        for (Tunnel tunnel : tunnels.values()) {
            Splice splice = tunnel.webSockets.get(connectionId);
            if (splice != null) {
                splice.abort();
                return true;
            }
        }
        return false;
    }

    /** Drops a tunnel's control channel (the sink's {@code disconnect} event). */
    boolean disconnect(String name) {
        Tunnel tunnel = tunnels.get(name);
        if (tunnel != null) {
            tunnel.control.close(1000, "Disconnected by the relay");
        }
        return tunnel != null;
    }

    Map<String, Object> details() {
        Map<String, Object> perTunnel = new LinkedHashMap<>();
        tunnels.forEach((name, tunnel) -> perTunnel.put(name, tunnel.details()));
        return Map.of("tunnels", perTunnel, "pendingUpgrades", upgrades.size());
    }

    private final class Control implements WebSocketHandler {

        /**
         * Yes: a control message is parsed and handed to its call, whose writes to the browser
         * and sends on the channel are queued, never awaited; events are queued to the source
         * thread. Read on the selector thread, a request's answer saves a hand-off to a worker.
         */
        @Override
        public boolean neverBlocks() {
            return true;
        }

        @Override
        public void onOpen(WebSocketConnection connection) {
            events.later(HELLO_TIMEOUT, () -> {
                if (connection.isOpen() && !connection.attributes().containsKey(TUNNEL)) {
                    refuse(connection, "no hello within " + HELLO_TIMEOUT.toSeconds() + " s", "");
                }
            });
        }

        /** A control message that cannot be read: the channel is closed with 4400 and the reason, one line. */
        private void malformed(WebSocketConnection connection, IllegalArgumentException problem) {
            LOG.warn("{}: relay client from {} sent a malformed control message ({}); closing with {}", settings.id(),
                    connection.remoteAddress().getAddress().getHostAddress(), problem.getMessage(), MALFORMED);
            connection.close(MALFORMED, "Malformed control message");
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            if (!connection.isOpen()) {
                // sent before the client read our Close: a refused or closing client is heard no more
                return;
            }
            JsonNode message;
            try {
                message = RelayCodec.parse(text);
            } catch (IllegalArgumentException e) {
                malformed(connection, e);
                return;
            }
            Tunnel tunnel = (Tunnel) connection.attributes().get(TUNNEL);
            if (tunnel == null) {
                hello(connection, message);
                return;
            }
            ServerCall call = tunnel.calls.get(message.path("id").asLong());
            if (call == null) {
                return;
            }
            switch (message.path("type").asText()) {
                case "response" -> call.onResponse(RelayCodec.responseHead(message));
                case "ack" -> call.onAck(message.path("bytes").asLong());
                case "abort" -> call.onAbort();
                default -> LOG.debug("{}: unknown control message {}", settings.id(), message.path("type"));
            }
        }

        @Override
        public void onBinary(WebSocketConnection connection, ByteBuffer data) {
            if (!connection.isOpen()) {
                return;
            }
            Tunnel tunnel = (Tunnel) connection.attributes().get(TUNNEL);
            RelayCodec.Frame frame;
            ResponseHead whole = null;
            try {
                frame = RelayCodec.frame(data);
                if (frame.type() == RelayCodec.RESPONSE) {
                    whole = RelayCodec.responseHead(frame.payload());
                }
            } catch (IllegalArgumentException e) {
                malformed(connection, e);
                return;
            }
            ServerCall call = tunnel == null ? null : tunnel.calls.get(frame.id());
            if (call == null) {
                return;
            }
            switch (frame.type()) {
                case RelayCodec.DATA -> call.onData(frame.payload());
                case RelayCodec.END -> call.onEnd();
                default -> call.onWholeResponse(whole, frame.payload());
            }
        }

        @Override
        public void onClose(WebSocketConnection connection, int code, String reason) {
            Tunnel tunnel = (Tunnel) connection.attributes().get(TUNNEL);
            if (tunnel != null && tunnels.remove(tunnel.name, tunnel)) {
                tunnel.calls.values().forEach(call -> call.fail(502, "The tunnel closed."));
                LOG.info("{}: tunnel {} lost ({} {})", settings.id(), tunnel.name, code, reason);
                events.event(tunnel.name, "lost", Map.of("code", code, "reason", reason));
            }
        }

        private void hello(WebSocketConnection connection, JsonNode message) {
            String name = message.path("tunnel").asText("").toLowerCase(Locale.ROOT);
            String token = message.path("token").asText("");
            if (!"hello".equals(message.path("type").asText()) || !tokens.accepts(token)) {
                refuse(connection, "wrong or missing token", name);
            } else if (!Tokens.validName(name)) {
                connection.close(1008, "Bad tunnel name");
            } else if (tunnels.size() >= settings.maxTunnels()) {
                connection.close(TOO_MANY, "Too many tunnels");
            } else {
                Tunnel tunnel = new Tunnel(name, token, connection);
                if (tunnels.putIfAbsent(name, tunnel) != null) {
                    connection.close(NAME_HELD, "Tunnel name already held");
                    return;
                }
                connection.attributes().put(TUNNEL, tunnel);
                connection.sendText(RelayCodec.registered(name));
                LOG.info("{}: tunnel {} registered from {}", settings.id(), name,
                        connection.remoteAddress().getAddress().getHostAddress());
                events.event(name, "registered", Map.of("from", connection.remoteAddress().getAddress().getHostAddress()));
            }
        }

        /** One audited line, never the token. */
        private void refuse(WebSocketConnection connection, String why, String name) {
            LOG.warn("{}: relay client from {} refused ({}), tunnel '{}'", settings.id(),
                    connection.remoteAddress().getAddress().getHostAddress(), why,
                    Tokens.validName(name) ? name : "?");
            connection.close(UNAUTHORIZED, "Unauthorized");
        }
    }
}
