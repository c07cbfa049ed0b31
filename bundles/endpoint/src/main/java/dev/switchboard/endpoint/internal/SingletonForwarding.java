package dev.switchboard.endpoint.internal;

import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How messages routed to a cluster singleton on a standby node reach the node that runs it: a
 * router routes only what entered its own node, so a standby node forwards each message through a
 * shared topic of the cluster ({@code singleton/<id>}), and the holder delivers what it hears there
 * in order per forwarding node. Every node also keeps what was forwarded in the last
 * {@link #RECENT} (its own and the others'): the node that takes over after a holder died delivers
 * what arrived after that holder's last renewal less the margin, which the dead holder may not have
 * delivered — less what the holder said it delivered: after each message it publishes the
 * message's id on the same topic ({@link #DELIVERED}), and every node drops that message from what
 * it keeps, so a takeover repeats only what the dead holder delivered in its last moments.
 */
public final class SingletonForwarding implements ClusterTopics.Listener {

    /** How long forwarded messages are kept for a takeover: more than a lease's TTL plus two polls. */
    static final Duration RECENT = Duration.ofSeconds(20);
    private static final int RECENT_LIMIT = 10_000;
    private static final int QUEUE_LIMIT = 10_000;
    private static final String TOPIC = "routed";
    /** The holder's word that it is done with a forwarded message (its id): kept nowhere any more. */
    private static final String DELIVERED = "delivered";
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(SingletonForwarding.class);

    private record Seen(Message message, Instant at) {
    }

    private final String endpointId;
    private final ClusterTopics topics;
    private final Function<Message, CompletionStage<Void>> deliverHere;
    private final ScheduledExecutorService retries;
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder lost = new LongAdder();
    // guarded by this
    private final ArrayDeque<Seen> recent = new ArrayDeque<>();
    private final ArrayDeque<Message> toDeliver = new ArrayDeque<>();
    private boolean holding;
    private boolean delivering;
    private boolean closed;

    private SingletonForwarding(String endpointId, Cluster cluster, Function<Message, CompletionStage<Void>> deliverHere,
                                ScheduledExecutorService retries) {
        this.endpointId = endpointId;
        this.deliverHere = deliverHere;
        this.retries = retries;
        this.topics = cluster.topics("singleton/" + endpointId,
                new ClusterTopics.Settings(QUEUE_LIMIT, Duration.ofMinutes(10)), this);
    }

    /** Joins the endpoint's shared topic; returns at once. {@code deliverHere} is the endpoint's own sink. */
    static SingletonForwarding open(String endpointId, Cluster cluster,
                                    Function<Message, CompletionStage<Void>> deliverHere,
                                    ScheduledExecutorService retries) {
        return new SingletonForwarding(endpointId, cluster, deliverHere, retries);
    }

    /** On a standby node: sends {@code message} on to the holder; false when it could not be queued. */
    boolean forward(Message message) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            remember(message);
        }
        boolean queued = topics.publish(TOPIC, Message.CHAT, MessageJson.write(message), false);
        if (queued) {
            forwarded.increment();
        }
        return queued;
    }

    /**
     * This node holds the lease from now on: it delivers what it hears, and first what was forwarded
     * after {@code previousRenewal} less {@code margin} (null: no holder was seen, all it kept).
     */
    void takeOver(Instant previousRenewal, Duration margin) {
        synchronized (this) {
            holding = true;
            Instant since = previousRenewal == null ? Instant.MIN : previousRenewal.minus(margin);
            for (Seen seen : recent) {
                if (seen.at().isAfter(since)) {
                    toDeliver.add(seen.message());
                }
            }
            recent.clear();
        }
        drain();
    }

    /** Another node holds the lease (or none): what is heard is kept for a takeover only. */
    synchronized void standBy() {
        holding = false;
        toDeliver.clear();
    }

    /** Counters for the endpoint's details. */
    long forwarded() {
        return forwarded.sum();
    }

    long deliveredForOthers() {
        return delivered.sum();
    }

    long lostForOthers() {
        return lost.sum();
    }

    void close() {
        synchronized (this) {
            closed = true;
            toDeliver.clear();
            recent.clear();
        }
        topics.close();
    }

    // --- the cluster's subscriber thread ----------------------------------------------------

    @Override
    public void received(String topic, String event, String data, boolean remembered) {
        if (DELIVERED.equals(event)) {
            synchronized (this) {
                recent.removeIf(seen -> data.equals(seen.message().id()));
            }
            return;
        }
        Message message;
        try {
            message = MessageJson.read(data);
        } catch (IllegalArgumentException e) {
            lost.increment();
            LOG.warn("{}: ignored a forwarded message that cannot be read: {}", endpointId, e.getMessage());
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!holding) {
                remember(message);
                return;
            }
            if (toDeliver.size() >= QUEUE_LIMIT) {
                lost.increment();
                LOG.warn("{}: dropped a message forwarded by another node: {} are waiting for the endpoint already "
                        + "({} dropped so far)", endpointId, QUEUE_LIMIT, lost.sum());
                return;
            }
            toDeliver.add(message);
        }
        drain();
    }

    @Override
    public void history(String topic, List<String> remembered) {
        // forwarded messages are no history: nothing to replay
    }

    // --- delivery on the holder --------------------------------------------------------------

    /** Sends the next message, one at a time and in order; "not now" tries again after {@link #RETRY}. */
    private void drain() {
        Message next;
        synchronized (this) {
            if (delivering || !holding || closed || toDeliver.isEmpty()) {
                return;
            }
            delivering = true;
            next = toDeliver.peek();
        }
        deliverHere.apply(next).whenComplete((ok, error) -> answered(next, error));
    }

    private void answered(Message sent, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        boolean retry = cause instanceof EndpointUnavailableException;
        boolean done = false;
        synchronized (this) {
            delivering = false;
            if (!retry && toDeliver.peek() == sent) {
                toDeliver.poll();
                done = true;
            }
        }
        if (done) {
            // said before it is counted: a node that sees the count sees the word too
            if (sent.id() != null) {
                topics.publish(TOPIC, DELIVERED, sent.id(), false);
            }
            if (error == null) {
                delivered.increment();
            } else {
                lost.increment();
                LOG.warn("{}: a message forwarded by another node could not be delivered: {}", endpointId,
                        cause == null ? "" : cause.toString());
            }
        }
        if (retry) {
            try {
                retries.schedule(this::drain, RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the endpoint stopped: nothing to retry
            }
        } else {
            drain();
        }
    }

    /** Keeps {@code message} for a takeover, forgetting what is older than {@link #RECENT}. The caller holds the lock. */
    private void remember(Message message) {
        Instant now = Instant.now();
        recent.add(new Seen(message, now));
        while (!recent.isEmpty() && (recent.size() > RECENT_LIMIT || recent.peek().at().isBefore(now.minus(RECENT)))) {
            recent.poll();
        }
    }
}
