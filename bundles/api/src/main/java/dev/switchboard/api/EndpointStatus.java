package dev.switchboard.api;

import java.time.Instant;
import java.util.Objects;

/**
 * An endpoint's state with the reason it is in it.
 *
 * @param state  where the endpoint stands
 * @param reason why, in words for people ("connected", "login failed: 401", "closed with code
 *               1006, retry in 4 s"); never a secret
 * @param since  when the endpoint entered this state
 */
public record EndpointStatus(State state, String reason, Instant since) {

    public enum State {
        /** Connected (client) or listening (server); messages flow. */
        ONLINE,
        /** Connecting, authenticating or waiting to retry. */
        CONNECTING,
        /** Stopped or failed in a way that needs a change of configuration. */
        OFFLINE
    }

    public EndpointStatus {
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
        since = since == null ? Instant.now() : since;
    }

    public static EndpointStatus online(String reason) {
        return new EndpointStatus(State.ONLINE, reason, Instant.now());
    }

    public static EndpointStatus connecting(String reason) {
        return new EndpointStatus(State.CONNECTING, reason, Instant.now());
    }

    public static EndpointStatus offline(String reason) {
        return new EndpointStatus(State.OFFLINE, reason, Instant.now());
    }

    @Override
    public String toString() {
        return reason.isEmpty() ? state.name() : state + " (" + reason + ")";
    }
}
