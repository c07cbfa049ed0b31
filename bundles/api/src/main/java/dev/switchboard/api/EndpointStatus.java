package dev.switchboard.api;

import java.time.Instant;
import java.util.Objects;

/**
 * An endpoint's state, what kind of trouble it is in, and the reason in words.
 *
 * @param state  where the endpoint stands
 * @param detail what kind of trouble keeps it from {@link State#ONLINE}; {@link Detail#NONE} when
 *               there is none to name (online, or connecting for the first time)
 * @param reason why, in words for people ("connected", "login failed: 401", "closed with code
 *               1006, retry in 4 s"); never a secret
 * @param since  when the endpoint entered this state
 */
public record EndpointStatus(State state, Detail detail, String reason, Instant since) {

    public enum State {
        /** Connected (client) or listening (server); messages flow. */
        ONLINE,
        /** Connecting, authenticating or waiting to retry. */
        CONNECTING,
        /** Stopped or failed in a way that needs a change of configuration. */
        OFFLINE
    }

    /** What kind of trouble an endpoint is in, for consoles and for people deciding what to fix. */
    public enum Detail {
        /** Nothing to name. */
        NONE,
        /** A configuration value cannot work; fixed by editing the configuration. */
        CONFIGURATION_ERROR,
        /** The peer is unreachable, refused the connection or dropped it; retried on its own. */
        COMMUNICATION_ERROR,
        /** The peer refused the credentials; fixed by changing them. */
        AUTHENTICATION_FAILED,
        /** Switched off in its configuration ({@code enabled = false}). */
        DISABLED,
        /** Stopped: being reconfigured, redeployed or removed. */
        STOPPED,
        /** A cluster singleton that another node runs now; this node takes over when that one goes. */
        STANDBY
    }

    public EndpointStatus {
        Objects.requireNonNull(state, "state");
        detail = detail == null ? Detail.NONE : detail;
        reason = reason == null ? "" : reason;
        since = since == null ? Instant.now() : since;
    }

    /** A status without a detail, as version 1.0 of this record had it. */
    public EndpointStatus(State state, String reason, Instant since) {
        this(state, Detail.NONE, reason, since);
    }

    public static EndpointStatus online(String reason) {
        return new EndpointStatus(State.ONLINE, Detail.NONE, reason, Instant.now());
    }

    public static EndpointStatus connecting(String reason) {
        return new EndpointStatus(State.CONNECTING, Detail.NONE, reason, Instant.now());
    }

    public static EndpointStatus connecting(Detail detail, String reason) {
        return new EndpointStatus(State.CONNECTING, detail, reason, Instant.now());
    }

    public static EndpointStatus offline(String reason) {
        return new EndpointStatus(State.OFFLINE, Detail.NONE, reason, Instant.now());
    }

    public static EndpointStatus offline(Detail detail, String reason) {
        return new EndpointStatus(State.OFFLINE, detail, reason, Instant.now());
    }

    /** Same state, detail and reason: what a status change log or event compares. */
    public boolean sameAs(EndpointStatus other) {
        return other != null && state == other.state && detail == other.detail && reason.equals(other.reason);
    }

    @Override
    public String toString() {
        String kind = detail == Detail.NONE ? "" : detail + ": ";
        return reason.isEmpty() && kind.isEmpty() ? state.name() : state + " (" + kind + reason + ")";
    }
}
