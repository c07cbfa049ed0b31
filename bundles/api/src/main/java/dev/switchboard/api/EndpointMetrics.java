package dev.switchboard.api;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of an endpoint's counters since {@code since}. The counters go on together across
 * reconnects and configuration edits and start again together (with a new {@code since}) when the
 * endpoint is activated anew, as after a redeploy of its bundle.
 *
 * @param messagesIn  messages received from the protocol and published by the source
 * @param messagesOut messages accepted by the sink
 * @param bytesIn     payload bytes received on the endpoint's connections
 * @param bytesOut    payload bytes sent on the endpoint's connections
 * @param errors      protocol errors, refused frames and failed sends
 * @param reconnects  connections re-established after a loss
 * @param details     protocol-specific figures (connections, subscribers, lobby chat id, …):
 *                    JSON-compatible values, unmodifiable
 * @param since       when these counters started
 */
public record EndpointMetrics(long messagesIn, long messagesOut, long bytesIn, long bytesOut,
                              long errors, long reconnects, Map<String, Object> details, Instant since) {

    public static final EndpointMetrics EMPTY = new EndpointMetrics(0, 0, 0, 0, 0, 0, Map.of(), Instant.EPOCH);

    public EndpointMetrics {
        details = details == null ? Map.of() : Map.copyOf(details);
        since = since == null ? Instant.EPOCH : since;
    }

    /** Counters without a start time, as version 1.0 of this record had them. */
    public EndpointMetrics(long messagesIn, long messagesOut, long bytesIn, long bytesOut, long errors,
                           long reconnects, Map<String, Object> details) {
        this(messagesIn, messagesOut, bytesIn, bytesOut, errors, reconnects, details, null);
    }
}
