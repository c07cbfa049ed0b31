package dev.switchboard.console.internal;

import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;

/**
 * One endpoint as the console shows it.
 *
 * @param id       the endpoint id
 * @param protocol its protocol
 * @param status   its state and reason
 * @param metrics  its counters
 * @param canSend  true when its {@code MessageSink} is registered
 */
record EndpointView(String id, String protocol, EndpointStatus status, EndpointMetrics metrics, boolean canSend) {
}
