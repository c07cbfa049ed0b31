package dev.switchboard.cluster.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where Redis is and how this node names itself there, as {@link RedisCluster} reads its
 * {@link ClusterConfig}.
 *
 * @param user     the ACL user from the URL, or null for the default user
 * @param password the password, or null for none; never logged
 */
record RedisSettings(String host, int port, boolean tls, int database, String user, String password,
                     String keyPrefix, Duration timeout) {

    RedisSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** Reads a {@code redis://} or {@code rediss://} URL; an IllegalArgumentException says what is wrong with it. */
    static RedisSettings of(String url, String password, String keyPrefix, Duration timeout) {
        URI uri;
        try {
            uri = URI.create(url == null ? "" : url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("redisUrl: not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new IllegalArgumentException("redisUrl: must start with redis:// or rediss://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("redisUrl: names no host");
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("redisUrl: the path must be a database number");
            }
        }
        String user = null;
        if (uri.getUserInfo() != null && !uri.getUserInfo().isBlank()) {
            // a password belongs in its own (PASSWORD) attribute, never in a URL that gets logged
            user = uri.getUserInfo().split(":", 2)[0];
        }
        String prefix = keyPrefix == null || keyPrefix.isBlank() ? "sb" : keyPrefix.trim();
        return new RedisSettings(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), "rediss".equals(scheme),
                database, user, password == null || password.isEmpty() ? null : password, prefix, timeout);
    }

    /** The address for log lines and status reasons: no password. */
    String address() {
        return (tls ? "rediss://" : "redis://") + host + ":" + port + (database == 0 ? "" : "/" + database);
    }
}
