package dev.switchboard.api;

import java.util.Map;

/**
 * A snapshot of an endpoint's counters since it was activated.
 *
 * @param messagesIn  messages received from the protocol and published by the source
 * @param messagesOut messages accepted by the sink
 * @param bytesIn     payload bytes received on the endpoint's connections
 * @param bytesOut    payload bytes sent on the endpoint's connections
 * @param errors      protocol errors, refused frames and failed sends
 * @param reconnects  connections re-established after a loss
 * @param details     protocol-specific figures (connections, subscribers, lobby chat id, …):
 *                    JSON-compatible values, unmodifiable
 */
public record EndpointMetrics(long messagesIn, long messagesOut, long bytesIn, long bytesOut,
                              long errors, long reconnects, Map<String, Object> details) {

    public static final EndpointMetrics EMPTY = new EndpointMetrics(0, 0, 0, 0, 0, 0, Map.of());

    public EndpointMetrics {
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}
