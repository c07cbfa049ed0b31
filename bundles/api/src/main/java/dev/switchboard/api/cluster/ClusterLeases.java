package dev.switchboard.api.cluster;

import java.time.Duration;

/**
 * Named leases held by one node of the cluster at a time, such as "the node that runs endpoint
 * kosmi-main". A lease lapses {@code ttl} after it was last acquired or renewed, so a node that
 * died gives it up on its own. Every call asks the backplane and may block for its connection
 * timeout: call from a scheduler thread, never from a protocol's I/O thread.
 */
public interface ClusterLeases {

    /** This node's name, as {@link Lease#holder()} spells it. */
    String nodeId();

    /** Takes the lease when it is free (or already this node's, then renewed); says who holds it. */
    Lease acquire(String name, Duration ttl) throws ClusterUnavailableException;

    /** Extends this node's lease; {@link Lease#held()} is false when another node holds it now. */
    Lease renew(String name, Duration ttl) throws ClusterUnavailableException;

    /** Gives the lease up if this node holds it, so another may take it at once. */
    void release(String name) throws ClusterUnavailableException;

    /**
     * @param held      true when this node holds the lease
     * @param holder    the node that holds it, or an empty string when nobody does
     * @param remaining how long the lease lasts unless its holder renews it (zero when nobody holds it):
     *                  another node tells from it when the holder last renewed
     */
    record Lease(String name, boolean held, String holder, Duration remaining) {
    }
}
