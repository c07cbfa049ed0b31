package dev.switchboard.api.cluster;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Subscription;
import java.util.function.Consumer;

/**
 * This node's membership of a cluster: its name, whether the cluster can be reached, and the shared
 * topics an endpoint publishes to and hears from. Registered by the cluster bundle while it is
 * configured; whether the backplane is reachable at the moment is its {@link #status()}.
 */
public interface Cluster {

    /** This node's name in the cluster, stable across restarts. */
    String nodeId();

    /**
     * {@code ONLINE} while the backplane is reachable; {@code CONNECTING} or {@code OFFLINE} with
     * the reason ("Redis unreachable: Connection refused, retry in 4 s") while it is not.
     */
    EndpointStatus status();

    /** Tells {@code listener} every change of {@link #status()}, on the cluster's own threads; it must return quickly. */
    Subscription watchStatus(Consumer<EndpointStatus> listener);

    /**
     * Joins the shared topics of {@code namespace} (an endpoint id: the endpoints of that id on every
     * node share their topics). Returns at once; connecting, re-subscribing and filling gaps
     * after an outage happen on the cluster's threads. Close the result to leave.
     */
    ClusterTopics topics(String namespace, ClusterTopics.Settings settings, ClusterTopics.Listener listener);
}
