package dev.switchboard.transport;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link WebSocketClient} connects and stays connected.
 *
 * @param name            short name for logs and thread names, usually the endpoint id
 * @param uri             {@code ws://} or {@code wss://} address
 * @param subprotocols    offered in {@code Sec-WebSocket-Protocol}, preferred first
 * @param headers         extra handshake headers (Origin, User-Agent, Authorization, …); values
 *                        are never logged
 * @param connectTimeout  how long TCP connect plus the WebSocket handshake may take
 * @param maxMessageSize  largest message accepted, in bytes; a larger one closes with 1009
 * @param pingInterval    keepalive ping period; {@link Duration#ZERO} disables pings
 * @param pongTimeout     a ping unanswered this long means the peer is dead: close and reconnect
 * @param compression     offer permessage-deflate; used when the peer accepts it
 * @param backoff         reconnect schedule
 * @param stableAfter     a connection open this long resets the schedule to its first delay;
 *                        {@link Duration#ZERO} never resets it by itself, for protocols whose
 *                        session is only good once the peer said so (a login, an auth reply):
 *                        they call {@link WebSocketClient#resetBackoff()} or
 *                        {@link WebSocketClient#reconnectNow(String)} themselves
 * @param sendQueueLimit  outgoing messages not yet written before the connection is closed with
 *                        1013 as too slow
 */
public record ClientSpec(String name, URI uri, List<String> subprotocols, Map<String, String> headers,
                         Duration connectTimeout, int maxMessageSize, Duration pingInterval,
                         Duration pongTimeout, boolean compression, Backoff backoff, Duration stableAfter,
                         int sendQueueLimit) {

    public static final int DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;
    public static final int DEFAULT_SEND_QUEUE_LIMIT = 1024;

    public ClientSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("WebSocket URI must be ws:// or wss://, got " + uri);
        }
        subprotocols = List.copyOf(subprotocols);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(pongTimeout, "pongTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(stableAfter, "stableAfter");
        if (stableAfter.isNegative()) {
            throw new IllegalArgumentException("stableAfter must not be negative, got " + stableAfter);
        }
        if (maxMessageSize < 1 || sendQueueLimit < 1) {
            throw new IllegalArgumentException("maxMessageSize and sendQueueLimit must be positive");
        }
    }

    public static Builder builder(String name, URI uri) {
        return new Builder(name, uri);
    }

    public static final class Builder {
        private final String name;
        private final URI uri;
        private List<String> subprotocols = List.of();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration pongTimeout = Duration.ofSeconds(10);
        private boolean compression = true;
        private Backoff backoff = Backoff.STANDARD;
        private Duration stableAfter = Duration.ofSeconds(10);
        private int sendQueueLimit = DEFAULT_SEND_QUEUE_LIMIT;

        private Builder(String name, URI uri) {
            this.name = name;
            this.uri = uri;
        }

        public Builder subprotocols(String... protocols) { this.subprotocols = List.of(protocols); return this; }
        public Builder header(String name, String value) { this.headers.put(name, value); return this; }
        public Builder connectTimeout(Duration timeout) { this.connectTimeout = timeout; return this; }
        public Builder maxMessageSize(int bytes) { this.maxMessageSize = bytes; return this; }
        public Builder pingInterval(Duration interval) { this.pingInterval = interval; return this; }
        public Builder pongTimeout(Duration timeout) { this.pongTimeout = timeout; return this; }
        public Builder compression(boolean offer) { this.compression = offer; return this; }
        public Builder backoff(Backoff schedule) { this.backoff = schedule; return this; }
        /** {@link Duration#ZERO}: only {@link WebSocketClient#resetBackoff()} resets the schedule. */
        public Builder stableAfter(Duration duration) { this.stableAfter = duration; return this; }
        public Builder sendQueueLimit(int messages) { this.sendQueueLimit = messages; return this; }

        public ClientSpec build() {
            return new ClientSpec(name, uri, subprotocols, headers, connectTimeout, maxMessageSize, pingInterval,
                    pongTimeout, compression, backoff, stableAfter, sendQueueLimit);
        }
    }
}
