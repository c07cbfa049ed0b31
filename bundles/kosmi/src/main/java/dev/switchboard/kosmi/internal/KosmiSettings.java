package dev.switchboard.kosmi.internal;

import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ClientSpec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One Kosmi account's settings, checked: what {@link KosmiAdapter#settings(KosmiConfig)} makes of
 * a {@link KosmiConfig}.
 *
 * @param rooms        room ids with their {@code @}, see {@link RoomId}
 * @param token        a configured token used before any stored one; blank for anonymous login
 * @param displayName  set with {@code SetDisplayName} after each {@code connection_ack}; blank leaves Kosmi's
 * @param appVersion   the {@code v} of {@code connection_init}
 * @param keepalive    WebSocket ping period; a ping unanswered within one period reconnects; zero disables
 * @param backoff      reconnect schedule; its longest delay is also the wait after close code 4429
 */
record KosmiSettings(String id, boolean enabled, List<String> rooms, URI graphqlUri, URI webSocketUri, String token,
                     String displayName, String userAgent, String origin, String appVersion, Duration loginTimeout,
                     Duration ackTimeout, Duration sendTimeout, Duration keepalive, Backoff backoff,
                     int maxMessageBytes) implements EndpointSettings {

    /** Smaller frames could not carry a chat message with its GraphQL envelope. */
    static final int MIN_MESSAGE_BYTES = 4096;

    KosmiSettings {
        Objects.requireNonNull(id, "id");
        rooms = List.copyOf(rooms);
        token = token == null ? "" : token.trim();
        displayName = displayName == null ? "" : displayName.trim();
    }

    /** The WebSocket: Kosmi's subprotocol, headers and frame limit, pings as keepalive (zero: none), the backoff. */
    ClientSpec clientSpec() {
        return ClientSpec.builder(id, webSocketUri)
                .subprotocols(KosmiCodec.SUBPROTOCOL)
                .header("Origin", origin)
                .header("User-Agent", userAgent)
                .maxMessageSize(maxMessageBytes)
                .pingInterval(keepalive)
                .pongTimeout(keepalive)
                .backoff(backoff)
                .build();
    }
}
