package dev.switchboard.console.internal;

import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointPanel;
import dev.switchboard.api.EndpointStatus;
import java.util.List;

/**
 * One endpoint as the console shows it.
 *
 * @param id       the endpoint id
 * @param protocol its protocol
 * @param status   its state and reason
 * @param metrics  its counters
 * @param canSend  true when its {@code MessageSink} is registered
 * @param panel    its protocol details as tables, from its adapter's {@code EndpointPanel}
 */
record EndpointView(String id, String protocol, EndpointStatus status, EndpointMetrics metrics, boolean canSend,
                    List<EndpointPanel.Table> panel) {
}
