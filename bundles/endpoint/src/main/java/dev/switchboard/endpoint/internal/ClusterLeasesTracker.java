package dev.switchboard.endpoint.internal;

import dev.switchboard.api.cluster.ClusterLeases;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** The cluster's leases while the cluster bundle is configured and registers them; null otherwise. */
public final class ClusterLeasesTracker {

    private final ServiceTracker<ClusterLeases, ClusterLeases> tracker;

    public ClusterLeasesTracker(BundleContext context) {
        tracker = new ServiceTracker<>(context, ClusterLeases.class, null);
        tracker.open();
    }

    /** The leases now, or null while no cluster is configured. */
    public ClusterLeases leases() {
        return tracker.getService();
    }

    public void close() {
        tracker.close();
    }
}
