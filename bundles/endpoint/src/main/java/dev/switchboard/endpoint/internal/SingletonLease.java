package dev.switchboard.endpoint.internal;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterLeases;
import dev.switchboard.api.cluster.ClusterLeases.Lease;
import dev.switchboard.api.cluster.ClusterUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster lease that lets a singleton endpoint run on one node at a time. On its own thread,
 * {@code switchboard-<protocol>-<id>-lease}, it tries every poll to take the lease
 * {@code endpoint/<id>}, renews it while this node holds it, and tells its {@link Host} to run the
 * protocol or to stand by. A holder whose renewals have not been confirmed for the timing's
 * step-down time is overdue ({@link #stepDownIfOverdue()}): the skeleton stops its protocol before
 * the lease can lapse and another node take it, so two nodes never bridge at once.
 *
 * <p>On a standby node, {@link #answer} forwards a message routed to the endpoint to the holder
 * ({@link SingletonForwarding}); while no other node is known to hold the lease it answers "not
 * now", so that the router keeps the message for whichever node takes over.
 */
public final class SingletonLease {

    /**
     * The lease's clock.
     *
     * @param ttl           how long a lease lasts unless renewed: a dead holder's endpoint is free after this
     * @param renew         how often the holder renews
     * @param poll          how often a standby node tries to take the lease
     * @param stepDownAfter a holder without a confirmed renewal for this long stops, before its lease lapses
     * @param margin        what was forwarded this long before a dead holder's last renewal counts as delivered
     */
    public record Timing(Duration ttl, Duration renew, Duration poll, Duration stepDownAfter, Duration margin) {

        /** Takeover within ttl + poll (7 s) of a holder's death; a holder cut off stops 1.5 s before its lease lapses. */
        public static final Timing STANDARD = new Timing(Duration.ofSeconds(6), Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofMillis(4_500), Duration.ofSeconds(1));

        public Timing {
            if (stepDownAfter.compareTo(ttl.minus(poll)) > 0 || renew.compareTo(stepDownAfter) >= 0) {
                throw new IllegalArgumentException("need renew < stepDownAfter <= ttl - poll");
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SingletonLease.class);

    /** What the lease asks of the endpoint: called on the lease's thread. */
    public interface Host {

        /** This node holds the lease: start the protocol. */
        void takeOver(SingletonLease lease);

        /** This node does not hold the lease (any more): stop the protocol if it runs, show {@code status}. */
        void standBy(SingletonLease lease, EndpointStatus status);

        /** Sends a message another node forwarded through this endpoint's own sink. */
        CompletionStage<Void> deliver(Message forwarded);
    }

    private final String endpointId;
    private final String name;
    private final Supplier<ClusterLeases> leases;
    private final Supplier<Cluster> clusters;
    private final Timing timing;
    private final Host host;
    private final ScheduledThreadPoolExecutor thread;
    // guarded by this
    private boolean closed;
    private boolean holding;
    /** System.nanoTime() at the start of the last acquire or renew this node's hold was confirmed by. */
    private long confirmedAt;
    /** Another node holding the lease as last seen, and when it last renewed it; null when none or unknown. */
    private String holder;
    private Instant holderRenewedAt;
    private String unreachable;
    private Cluster joined;
    private SingletonForwarding forwarding;

    private SingletonLease(String protocol, String endpointId, Supplier<ClusterLeases> leases,
                           Supplier<Cluster> clusters, Timing timing, Host host) {
        this.endpointId = endpointId;
        this.name = "endpoint/" + endpointId;
        this.leases = leases;
        this.clusters = clusters;
        this.timing = timing;
        this.host = host;
        this.thread = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "switchboard-" + protocol + "-" + endpointId + "-lease");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
    }

    /** Starts trying to take the lease at once, then every poll. */
    public static SingletonLease start(String protocol, String endpointId, Supplier<ClusterLeases> leases,
                                       Supplier<Cluster> clusters, Timing timing, Host host) {
        SingletonLease lease = new SingletonLease(protocol, Objects.requireNonNull(endpointId, "endpointId"),
                Objects.requireNonNull(leases, "leases"), Objects.requireNonNull(clusters, "clusters"),
                Objects.requireNonNull(timing, "timing"), Objects.requireNonNull(host, "host"));
        lease.thread.scheduleWithFixedDelay(lease::tick, 0, timing.poll().toMillis(), TimeUnit.MILLISECONDS);
        return lease;
    }

    public Timing timing() {
        return timing;
    }

    /** True while this node holds the lease. */
    public synchronized boolean holding() {
        return holding && !closed;
    }

    /**
     * True when this node held the lease but could not renew it for the step-down time: the caller
     * stops the protocol now, and the lease counts as lost until this node takes it again.
     */
    public synchronized boolean stepDownIfOverdue() {
        if (holding && System.nanoTime() - confirmedAt >= timing.stepDownAfter().toNanos()) {
            holding = false;
            if (forwarding != null) {
                forwarding.standBy();
            }
            return true;
        }
        return false;
    }

    /**
     * Messages this node forwarded to the holder, delivered for other nodes, and could not deliver
     * for them (logged), for the endpoint's details.
     */
    public synchronized long[] forwardedDeliveredLost() {
        return forwarding == null ? new long[3]
                : new long[] {forwarding.forwarded(), forwarding.deliveredForOthers(), forwarding.lostForOthers()};
    }

    /**
     * What a standby node answers for a message routed to the endpoint: done once forwarded to the
     * node that holds the lease, "not now" while no other node is known to hold it (the router keeps
     * the message for whichever node takes over).
     */
    public CompletionStage<Void> answer(Message message, String reason) {
        SingletonForwarding to;
        synchronized (this) {
            to = !closed && !holding && holder != null ? forwarding : null;
        }
        if (to != null && to.forward(message)) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.failedFuture(new EndpointUnavailableException(endpointId, reason));
    }

    /**
     * Stops trying; releases the lease if this node holds it, so another node takes over at once.
     * Returns at once: the release runs on the lease's thread, which then ends.
     */
    public void close() {
        boolean release;
        SingletonForwarding leaving;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            release = holding;
            holding = false;
            leaving = forwarding;
            forwarding = null;
        }
        if (leaving != null) {
            leaving.close();
        }
        thread.getQueue().clear();
        // the service as it is now: the endpoint may stop tracking it before the release runs
        ClusterLeases cluster = release ? leases.get() : null;
        if (cluster != null) {
            thread.execute(() -> release(cluster));
        }
        thread.shutdown();
    }

    // --- the lease's thread ------------------------------------------------------------------

    private void tick() {
        synchronized (this) {
            if (closed || holding && System.nanoTime() - confirmedAt < timing.renew().toNanos()) {
                return;
            }
        }
        ClusterLeases cluster = leases.get();
        if (cluster == null) {
            lost(null, null, "standby: waiting for the cluster (feature switchboard-cluster started and configured)",
                    Detail.STANDBY);
            return;
        }
        join(clusters.get());
        long start = System.nanoTime();
        Lease lease;
        try {
            lease = isHolding() ? cluster.renew(name, timing.ttl()) : cluster.acquire(name, timing.ttl());
        } catch (ClusterUnavailableException | RuntimeException e) {
            unreachable(e);
            return;
        }
        if (lease.held()) {
            held(start, cluster);
        } else if (lease.holder().isEmpty()) {
            // lapsed between our try and its answer: the next tick takes it
            lost(null, null, "standby: the lease is free, taking it", Detail.STANDBY);
        } else {
            Instant renewedAt = Instant.now().minus(timing.ttl().minus(lease.remaining()));
            lost(lease.holder(), renewedAt, "standby: held by node " + lease.holder(), Detail.STANDBY);
        }
    }

    /** Joins the endpoint's forwarding topic of {@code cluster}, or of the cluster service that replaced the last one. */
    private void join(Cluster cluster) {
        SingletonForwarding left = null;
        synchronized (this) {
            if (closed || cluster == joined) {
                return;
            }
            left = forwarding;
            forwarding = null;
            joined = cluster;
        }
        if (left != null) {
            left.close();
        }
        if (cluster == null) {
            return;
        }
        SingletonForwarding next = SingletonForwarding.open(endpointId, cluster, host::deliver, thread);
        boolean holdingNow;
        synchronized (this) {
            if (closed || joined != cluster) {
                holdingNow = false;
                next = null;
            } else {
                forwarding = next;
                holdingNow = holding;
            }
        }
        if (next == null) {
            return;
        }
        if (holdingNow) {
            // joined (again) while holding: deliver what is forwarded from now on
            next.takeOver(Instant.now(), Duration.ZERO);
        }
    }

    private void held(long confirmedStart, ClusterLeases cluster) {
        boolean taken;
        SingletonForwarding deliverer;
        Instant previousRenewal;
        synchronized (this) {
            if (closed) {
                // taken while the endpoint stopped: give it back rather than let it lapse
                release(cluster);
                return;
            }
            taken = !holding;
            holding = true;
            confirmedAt = confirmedStart;
            previousRenewal = holderRenewedAt;
            holder = null;
            holderRenewedAt = null;
            unreachable = null;
            deliverer = taken ? forwarding : null;
        }
        if (taken) {
            LOG.info("{}: this node holds the cluster lease and runs the endpoint", endpointId);
            host.takeOver(this);
            if (deliverer != null) {
                deliverer.takeOver(previousRenewal, timing.margin());
            }
        }
    }

    private void lost(String otherHolder, Instant renewedAt, String reason, Detail detail) {
        boolean wasHolding;
        synchronized (this) {
            if (closed) {
                return;
            }
            wasHolding = holding;
            holding = false;
            holder = otherHolder;
            holderRenewedAt = renewedAt;
            unreachable = null;
            if (forwarding != null) {
                forwarding.standBy();
            }
        }
        if (wasHolding) {
            LOG.warn("{}: this node lost the cluster lease ({}) and stops the endpoint", endpointId, reason);
        }
        host.standBy(this, EndpointStatus.connecting(detail, reason));
    }

    /**
     * The cluster did not answer: a holder keeps running until it is overdue (the skeleton's check
     * stops it); a standby node knows no holder to forward to.
     */
    private void unreachable(Exception e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        boolean first;
        boolean stillHolding;
        synchronized (this) {
            if (closed) {
                return;
            }
            first = unreachable == null;
            unreachable = why;
            holder = null;
            stillHolding = holding;
        }
        if (stillHolding) {
            if (first) {
                LOG.warn("{}: cannot renew the cluster lease ({}); the endpoint stops unless renewed within {} s",
                        endpointId, why, timing.stepDownAfter().toMillis() / 1000.0);
            }
            return;
        }
        host.standBy(this, EndpointStatus.connecting(Detail.COMMUNICATION_ERROR, "standby: cluster unreachable: "
                + why));
    }

    private void release(ClusterLeases cluster) {
        try {
            cluster.release(name);
            LOG.info("{}: released the cluster lease", endpointId);
        } catch (ClusterUnavailableException | RuntimeException e) {
            LOG.info("{}: could not release the cluster lease ({}); it lapses within {} s", endpointId,
                    e.getMessage(), timing.ttl().toSeconds());
        }
    }

    private synchronized boolean isHolding() {
        return holding;
    }
}
