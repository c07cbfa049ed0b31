package dev.switchboard.tracker.internal;

import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.transport.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One agent identity on a tracker, as {@link TrackerAdapter#settings} reads it from its
 * {@link TrackerConfig}: checked values only.
 *
 * @param uri               the tracker's WebSocket address (see {@link #webSocketUri})
 * @param token             the agent's token; sent in {@code auth}, never logged nor shown
 * @param displayName       the agent's name as people see it, for status lines
 * @param heartbeatInterval time between heartbeats once authenticated
 * @param maxFrameBytes     largest frame accepted from the tracker; a larger one closes with 1009
 * @param pingInterval      WebSocket keepalive ping period; zero disables pings
 * @param backoff           the reconnect schedule, reset by every {@code auth.ok}
 */
record TrackerSettings(String id, boolean enabled, URI uri, String token, String displayName,
                       Duration heartbeatInterval, int maxFrameBytes, Duration pingInterval, Backoff backoff)
        implements EndpointSettings {

    TrackerSettings {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(backoff, "backoff");
        displayName = displayName == null || displayName.isBlank() ? id : displayName.trim();
    }

    /** Enabled, with the standard schedule and the configuration's defaults otherwise: for tests. */
    static TrackerSettings of(String id, URI uri, String token, Duration heartbeatInterval) {
        return new TrackerSettings(id, true, uri, token, "Switchboard", heartbeatInterval, 1 << 20,
                Duration.ofSeconds(30), Backoff.STANDARD);
    }

    TrackerSettings withMaxFrameBytes(int bytes) {
        return new TrackerSettings(id, enabled, uri, token, displayName, heartbeatInterval, bytes, pingInterval,
                backoff);
    }

    TrackerSettings withPingInterval(Duration interval) {
        return new TrackerSettings(id, enabled, uri, token, displayName, heartbeatInterval, maxFrameBytes, interval,
                backoff);
    }

    /**
     * The tracker's WebSocket address from its URL: a ws(s) URL as it is; an http(s) URL with
     * http(s) turned into ws(s) and {@code /ws} appended.
     */
    static URI webSocketUri(URI trackerUrl) {
        String scheme = trackerUrl.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("ws") || scheme.equals("wss")) {
            return trackerUrl;
        }
        String base = "ws" + trackerUrl.toString().substring("http".length());
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/ws");
    }

    /** The tracker's address as scheme://host:port/path only, fit for logs and consoles: a query or user info may carry a token. */
    String address() {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /** Never the token. */
    @Override
    public String toString() {
        return "TrackerSettings[id=" + id + ", enabled=" + enabled + ", uri=" + address() + ", displayName="
                + displayName + ", heartbeat=" + heartbeatInterval + "]";
    }
}
