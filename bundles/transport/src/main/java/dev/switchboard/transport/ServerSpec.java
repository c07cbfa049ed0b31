package dev.switchboard.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a {@link WebSocketServer} listens.
 *
 * @param name           short name for logs and thread names, usually the endpoint id
 * @param host           address to bind; {@value #LOOPBACK} unless configured otherwise
 * @param port           TCP port; 0 picks a free one (see {@link WebSocketServer#port()})
 * @param maxMessageSize largest message accepted, in bytes; a larger one closes with 1009
 * @param pingInterval   keepalive ping period per connection; {@link Duration#ZERO} disables
 * @param pongTimeout    a ping unanswered this long closes that connection
 * @param compression    accept permessage-deflate when a client offers it
 * @param sendQueueLimit outgoing messages not yet written to one client before that client is
 *                       closed with 1013 as too slow, so one slow client never holds up others
 * @param headTimeout    a connection whose request head is not complete this long after it opened
 *                       (or after its previous response ended) is closed, so clients trickling
 *                       heads cannot hold sockets; {@link Duration#ZERO} disables. Upgraded
 *                       connections are never closed by it
 */
public record ServerSpec(String name, String host, int port, int maxMessageSize, Duration pingInterval,
                         Duration pongTimeout, boolean compression, int sendQueueLimit,
                         Duration headTimeout) {

    public static final String LOOPBACK = "127.0.0.1";
    public static final int DEFAULT_HEAD_TIMEOUT_SECONDS = 30;

    public ServerSpec {
        Objects.requireNonNull(name, "name");
        host = host == null || host.isBlank() ? LOOPBACK : host;
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(pongTimeout, "pongTimeout");
        Objects.requireNonNull(headTimeout, "headTimeout");
        if (headTimeout.isNegative()) {
            throw new IllegalArgumentException("headTimeout must not be negative, got " + headTimeout);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxMessageSize < 1 || sendQueueLimit < 1) {
            throw new IllegalArgumentException("maxMessageSize and sendQueueLimit must be positive");
        }
    }

    /** As before {@code headTimeout} existed: heads time out after {@value #DEFAULT_HEAD_TIMEOUT_SECONDS} s. */
    public ServerSpec(String name, String host, int port, int maxMessageSize, Duration pingInterval,
                      Duration pongTimeout, boolean compression, int sendQueueLimit) {
        this(name, host, port, maxMessageSize, pingInterval, pongTimeout, compression, sendQueueLimit,
                Duration.ofSeconds(DEFAULT_HEAD_TIMEOUT_SECONDS));
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public static final class Builder {
        private final String name;
        private String host = LOOPBACK;
        private int port;
        private int maxMessageSize = ClientSpec.DEFAULT_MAX_MESSAGE_SIZE;
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration pongTimeout = Duration.ofSeconds(10);
        private boolean compression = true;
        private int sendQueueLimit = ClientSpec.DEFAULT_SEND_QUEUE_LIMIT;
        private Duration headTimeout = Duration.ofSeconds(DEFAULT_HEAD_TIMEOUT_SECONDS);

        private Builder(String name) {
            this.name = name;
        }

        public Builder host(String host) { this.host = host; return this; }
        public Builder port(int port) { this.port = port; return this; }
        public Builder maxMessageSize(int bytes) { this.maxMessageSize = bytes; return this; }
        public Builder pingInterval(Duration interval) { this.pingInterval = interval; return this; }
        public Builder pongTimeout(Duration timeout) { this.pongTimeout = timeout; return this; }
        public Builder compression(boolean accept) { this.compression = accept; return this; }
        public Builder sendQueueLimit(int messages) { this.sendQueueLimit = messages; return this; }
        public Builder headTimeout(Duration timeout) { this.headTimeout = timeout; return this; }

        public ServerSpec build() {
            return new ServerSpec(name, host, port, maxMessageSize, pingInterval, pongTimeout, compression,
                    sendQueueLimit, headTimeout);
        }
    }
}
