package dev.switchboard.endpoint.internal;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.cluster.ClusterLeases;
import dev.switchboard.api.cluster.ClusterLeases.Lease;
import dev.switchboard.api.cluster.ClusterUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster lease that lets a singleton endpoint run on one node at a time. On its own thread,
 * {@code switchboard-<protocol>-<id>-lease}, it tries every the timing's poll to take the lease
 * {@code endpoint/<id>}, renews it every the timing's renew period while this node holds it, and tells its
 * {@link Host} to run the protocol or to stand by. A holder whose renewals have not been confirmed
 * for the timing's step-down time is overdue ({@link #stepDownIfOverdue()}): the skeleton stops its protocol before the
 * lease (its TTL) can lapse and another node take it, so two nodes never bridge at once.
 *
 * <p>On a standby node, {@link #answer} decides what becomes of a message routed to the endpoint:
 * left to the holder once the holder renewed the lease the timing's margin after the message was
 * written (the holder was alive to bridge it, since its router routed it too); otherwise held
 * back: "not now", so that the router keeps it for the node that takes over.
 */
public final class SingletonLease {

    /**
     * The lease's clock.
     *
     * @param ttl           how long a lease lasts unless renewed: a dead holder's endpoint is free after this
     * @param renew         how often the holder renews
     * @param poll          how often a standby node tries to take the lease
     * @param stepDownAfter a holder without a confirmed renewal for this long stops, before its lease lapses
     * @param margin        how long after a message the holder must have been alive to be trusted with it
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

        /** A message a standby node could not decide on within this goes back to the router as "not now". */
        Duration undecided() {
            return ttl.plus(poll).plus(poll);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SingletonLease.class);

    /** What the lease asks of the endpoint: both called on the lease's thread. */
    public interface Host {

        /** This node holds the lease: start the protocol. */
        void takeOver(SingletonLease lease);

        /** This node does not hold the lease (any more): stop the protocol if it runs, show {@code status}. */
        void standBy(SingletonLease lease, EndpointStatus status);
    }

    private record Undecided(Message message, CompletableFuture<Void> answer, long since) {
    }

    private final String endpointId;
    private final String name;
    private final Supplier<ClusterLeases> leases;
    private final Timing timing;
    private final Host host;
    private final ScheduledThreadPoolExecutor thread;
    private final LongAdder leftToHolder = new LongAdder();
    // guarded by this
    private final List<Undecided> undecided = new ArrayList<>();
    private boolean closed;
    private boolean holding;
    /** System.nanoTime() at the start of the last acquire or renew this node's hold was confirmed by. */
    private long confirmedAt;
    /** Another node holding the lease as last seen, and when it last renewed it; null when none or unknown. */
    private String holder;
    private Instant holderRenewedAt;
    private String unreachable;

    private SingletonLease(String protocol, String endpointId, Supplier<ClusterLeases> leases, Timing timing,
                           Host host) {
        this.endpointId = endpointId;
        this.name = "endpoint/" + endpointId;
        this.leases = leases;
        this.timing = timing;
        this.host = host;
        this.thread = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "switchboard-" + protocol + "-" + endpointId + "-lease");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
    }

    /** Starts trying to take the lease at once, then every the timing's poll. */
    public static SingletonLease start(String protocol, String endpointId, Supplier<ClusterLeases> leases,
                                       Timing timing, Host host) {
        SingletonLease lease = new SingletonLease(protocol, Objects.requireNonNull(endpointId, "endpointId"),
                Objects.requireNonNull(leases, "leases"), Objects.requireNonNull(timing, "timing"),
                Objects.requireNonNull(host, "host"));
        lease.thread.scheduleWithFixedDelay(lease::tick, 0, timing.poll().toMillis(), TimeUnit.MILLISECONDS);
        return lease;
    }

    public Timing timing() {
        return timing;
    }

    /** The endpoint this lease is for. */
    public String endpointId() {
        return endpointId;
    }

    /** True while this node holds the lease. */
    public synchronized boolean holding() {
        return holding && !closed;
    }

    /**
     * True when this node held the lease but could not renew it for the timing's step-down time: the
     * caller stops the protocol now, and the lease counts as lost until this node takes it again.
     */
    public synchronized boolean stepDownIfOverdue() {
        if (holding && System.nanoTime() - confirmedAt >= timing.stepDownAfter().toNanos()) {
            holding = false;
            return true;
        }
        return false;
    }

    /** Messages a standby node left to the holder, for the endpoint's details. */
    public long leftToHolder() {
        return leftToHolder.sum();
    }

    /**
     * What a standby node answers for a message routed to the endpoint: done (the holder bridges
     * it), "not now" (the router holds it for whichever node takes over), or an answer given once
     * the holder renews again.
     */
    public CompletionStage<Void> answer(Message message, String reason) {
        synchronized (this) {
            if (!closed && !holding && holder != null) {
                if (trusted(message)) {
                    leftToHolder.increment();
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> later = new CompletableFuture<>();
                undecided.add(new Undecided(message, later, System.nanoTime()));
                return later;
            }
        }
        return CompletableFuture.failedFuture(new EndpointUnavailableException(endpointId, reason));
    }

    /**
     * Stops trying; releases the lease if this node holds it, so another node takes over at once.
     * Returns at once: the release runs on the lease's thread, which then ends.
     */
    public void close() {
        boolean release;
        List<Runnable> answers;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            release = holding;
            holding = false;
            answers = notNow("the endpoint stopped");
        }
        answers.forEach(Runnable::run);
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
            lost(null, "standby: waiting for the cluster (no cluster configuration is active)", Detail.STANDBY);
            return;
        }
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
            lost(null, "standby: the lease is free, taking it", Detail.STANDBY);
        } else {
            Instant renewedAt = Instant.now().minus(timing.ttl().minus(lease.remaining()));
            lost(lease.holder(), "standby: held by node " + lease.holder(), Detail.STANDBY, renewedAt);
        }
    }

    private void held(long confirmedStart, ClusterLeases cluster) {
        boolean taken;
        List<Runnable> answers;
        synchronized (this) {
            if (closed) {
                // taken while the endpoint stopped: give it back rather than let it lapse
                release(cluster);
                return;
            }
            taken = !holding;
            holding = true;
            confirmedAt = confirmedStart;
            holder = null;
            unreachable = null;
            // the router sends them again once the endpoint is online here
            answers = notNow("taking over");
        }
        answers.forEach(Runnable::run);
        if (taken) {
            LOG.info("{}: this node holds the cluster lease and runs the endpoint", endpointId);
            host.takeOver(this);
        }
    }

    private void lost(String otherHolder, String reason, Detail detail) {
        lost(otherHolder, reason, detail, null);
    }

    private void lost(String otherHolder, String reason, Detail detail, Instant renewedAt) {
        boolean wasHolding;
        List<Runnable> answers;
        synchronized (this) {
            if (closed) {
                return;
            }
            wasHolding = holding;
            holding = false;
            holder = otherHolder;
            holderRenewedAt = renewedAt;
            unreachable = null;
            answers = decideUndecided();
        }
        answers.forEach(Runnable::run);
        if (wasHolding) {
            LOG.warn("{}: this node lost the cluster lease ({}) and stops the endpoint", endpointId, reason);
        }
        host.standBy(this, EndpointStatus.connecting(detail, reason));
    }

    /**
     * The cluster did not answer: a holder keeps running until it is overdue (the skeleton's
     * check stops it); a standby node knows no holder to leave messages to.
     */
    private void unreachable(Exception e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        boolean first;
        boolean stillHolding;
        List<Runnable> answers;
        synchronized (this) {
            if (closed) {
                return;
            }
            first = unreachable == null;
            unreachable = why;
            holder = null;
            answers = decideUndecided();
            stillHolding = holding;
        }
        answers.forEach(Runnable::run);
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

    // --- messages on a standby node: the caller holds the lock --------------------------------

    /** The holder renewed the lease the timing's margin after {@code message} was written. */
    private boolean trusted(Message message) {
        return holder != null && holderRenewedAt != null
                && !holderRenewedAt.isBefore(message.time().plus(timing.margin()));
    }

    /**
     * The answers now due for the undecided messages, to be given without the lock (the router's
     * callbacks run on the completing thread and take the router's own locks).
     */
    private List<Runnable> decideUndecided() {
        List<Runnable> answers = new ArrayList<>();
        long now = System.nanoTime();
        for (Iterator<Undecided> i = undecided.iterator(); i.hasNext(); ) {
            Undecided waiting = i.next();
            if (trusted(waiting.message())) {
                leftToHolder.increment();
                answers.add(() -> waiting.answer().complete(null));
                i.remove();
            } else if (holder == null || now - waiting.since() >= timing.undecided().toNanos()) {
                String why = holder == null ? "no node holds the endpoint's lease now" : "the holder has not renewed";
                answers.add(() -> waiting.answer().completeExceptionally(
                        new EndpointUnavailableException(endpointId, why)));
                i.remove();
            }
        }
        return answers;
    }

    private List<Runnable> notNow(String why) {
        List<Runnable> answers = new ArrayList<>();
        for (Undecided waiting : undecided) {
            answers.add(() -> waiting.answer().completeExceptionally(new EndpointUnavailableException(endpointId, why)));
        }
        undecided.clear();
        return answers;
    }
}
