package dev.switchboard.endpoint.internal;

import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterLeases;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** The cluster's services while the cluster bundle is configured and registers them; null otherwise. */
public final class ClusterTracker {

    private final ServiceTracker<ClusterLeases, ClusterLeases> leases;
    private final ServiceTracker<Cluster, Cluster> cluster;

    public ClusterTracker(BundleContext context) {
        leases = new ServiceTracker<>(context, ClusterLeases.class, null);
        cluster = new ServiceTracker<>(context, Cluster.class, null);
        leases.open();
        cluster.open();
    }

    /** The leases now, or null while no cluster is configured. */
    public ClusterLeases leases() {
        return leases.getService();
    }

    /** The cluster now (its shared topics), or null while no cluster is configured. */
    public Cluster cluster() {
        return cluster.getService();
    }

    public void close() {
        leases.close();
        cluster.close();
    }
}
