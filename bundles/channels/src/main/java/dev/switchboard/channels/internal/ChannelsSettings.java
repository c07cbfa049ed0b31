package dev.switchboard.channels.internal;

import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.transport.ServerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a channels server is configured with, as {@link ChannelsAdapter#settings} reads it
 * from its {@link ChannelsConfig}.
 *
 * @param maxFrameBytes  largest frame a client may send, and the bound of the history snapshot a joining client gets
 * @param historySize    last chat messages a topic keeps for joining clients
 * @param sendQueueLimit frames queued to one client before it is closed as too slow
 * @param cluster        how topics are shared with the other nodes' endpoints of this id; null: not shared
 */
public record ChannelsSettings(String id, boolean enabled, String host, int port, String path, int maxConnections,
                               int maxFrameBytes, int historySize, List<String> chatPatterns, int sendQueueLimit,
                               Duration pingInterval, boolean compression, ClusterTopics.Settings cluster)
        implements EndpointSettings {

    public ChannelsSettings {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        path = path == null || path.isBlank() ? "/" : path.startsWith("/") ? path : "/" + path;
        chatPatterns = List.copyOf(chatPatterns);
        pingInterval = pingInterval == null ? Duration.ZERO : pingInterval;
        if (maxConnections < 0 || maxFrameBytes < 1 || historySize < 0 || sendQueueLimit < 1) {
            throw new IllegalArgumentException("need maxConnections >= 0, maxFrameBytes >= 1, historySize >= 0"
                    + " and sendQueueLimit >= 1");
        }
    }

    /** Enabled settings for {@code id} with the configuration's usual values, listening on an ephemeral loopback port. */
    public static ChannelsSettings defaults(String id) {
        return new ChannelsSettings(id, true, ServerSpec.LOOPBACK, 0, "/", 100, 1 << 20, 50, List.of("chat:<room>"),
                1024, Duration.ofSeconds(30), false, null);
    }

    public ChannelsSettings withPort(int newPort) {
        return new ChannelsSettings(id, enabled, host, newPort, path, maxConnections, maxFrameBytes, historySize,
                chatPatterns, sendQueueLimit, pingInterval, compression, cluster);
    }

    public ChannelsSettings withMaxConnections(int max) {
        return new ChannelsSettings(id, enabled, host, port, path, max, maxFrameBytes, historySize, chatPatterns,
                sendQueueLimit, pingInterval, compression, cluster);
    }

    public ChannelsSettings withMaxFrameBytes(int bytes) {
        return new ChannelsSettings(id, enabled, host, port, path, maxConnections, bytes, historySize, chatPatterns,
                sendQueueLimit, pingInterval, compression, cluster);
    }

    public ChannelsSettings withHistorySize(int size) {
        return new ChannelsSettings(id, enabled, host, port, path, maxConnections, maxFrameBytes, size, chatPatterns,
                sendQueueLimit, pingInterval, compression, cluster);
    }

    public ChannelsSettings withSendQueueLimit(int limit) {
        return new ChannelsSettings(id, enabled, host, port, path, maxConnections, maxFrameBytes, historySize,
                chatPatterns, limit, pingInterval, compression, cluster);
    }

    public ChannelsSettings withCompression(boolean offered) {
        return new ChannelsSettings(id, enabled, host, port, path, maxConnections, maxFrameBytes, historySize,
                chatPatterns, sendQueueLimit, pingInterval, offered, cluster);
    }

    public ChannelsSettings withCluster(ClusterTopics.Settings shared) {
        return new ChannelsSettings(id, enabled, host, port, path, maxConnections, maxFrameBytes, historySize,
                chatPatterns, sendQueueLimit, pingInterval, compression, shared);
    }

    /** True when {@code other} differs from these only in what a running server can change. */
    boolean sameListener(ChannelsSettings other) {
        return Objects.equals(cluster, other.cluster)
                && host.equals(other.host) && port == other.port && path.equals(other.path)
                && maxFrameBytes == other.maxFrameBytes && sendQueueLimit == other.sendQueueLimit
                && pingInterval.equals(other.pingInterval) && compression == other.compression;
    }
}
