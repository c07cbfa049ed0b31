package dev.switchboard.kosmi.internal;

import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import java.time.Duration;

/**
 * What the endpoint's status says while it is not online: the steps towards a connection, and
 * trouble (a lost connection, a failed or refused login) that outlasts the retries it causes, so
 * that "retry 3 in 4000 ms" still names what went wrong, with its state and detail, until Kosmi
 * acknowledges a connection again. Thread-safe.
 */
final class ConnectionStatus {

    private record Trouble(State state, Detail detail, String reason) {
    }

    private final KosmiClient.Events events;
    private volatile Trouble trouble;
    private volatile String reason = "not started";

    ConnectionStatus(KosmiClient.Events events) {
        this.events = events;
    }

    /** A step towards a connection; while trouble lasts, the status keeps naming it. */
    void progress(String step) {
        Trouble now = trouble;
        if (now == null) {
            report(State.CONNECTING, Detail.NONE, step);
        } else {
            report(now.state(), now.detail(), now.reason() + "; " + step);
        }
    }

    /** Something went wrong that is retried on its own. */
    void retrying(String why) {
        trouble(State.CONNECTING, Detail.COMMUNICATION_ERROR, why);
    }

    /** Trouble from now until {@link #cleared()}. */
    void trouble(State state, Detail detail, String why) {
        Trouble next = new Trouble(state, detail, why);
        trouble = next;
        report(state, detail, why);
    }

    /** True while trouble lasts. */
    boolean troubled() {
        return trouble != null;
    }

    /** The transport waits {@code delay} before attempt {@code attempt}. */
    void retryScheduled(int attempt, Duration delay, String transportReason) {
        Trouble now = trouble;
        if (now == null) {
            now = new Trouble(State.CONNECTING, Detail.COMMUNICATION_ERROR, transportReason);
        }
        report(now.state(), now.detail(), now.reason() + "; retry " + attempt + " in " + delay.toMillis() + " ms");
    }

    /** Kosmi acknowledged a connection: the trouble is over. */
    void cleared() {
        trouble = null;
    }

    /** The last reason given, for a send that finds no connection. */
    String reason() {
        return reason;
    }

    private void report(State state, Detail detail, String why) {
        reason = why;
        events.status(state, detail, why);
    }
}
