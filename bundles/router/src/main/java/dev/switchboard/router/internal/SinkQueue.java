package dev.switchboard.router.internal;

import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.router.SinkInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A gateway's bounded queue for one destination endpoint, delivered by the gateway's
 * {@link DeliveryLoop}, whose monitor guards this queue's state.
 *
 * <p>Messages wait here while the endpoint's sink is absent (a redeploy) and go out in order once
 * it is present, with at most one message in flight: the loop takes a batch and sends it until a
 * send's stage is not complete at once; that message is then in flight, the rest goes back to the
 * head of the queue, and the queue is served again when the sink has answered. When full, the
 * oldest message is dropped and counted; a burst of drops logs one warning when it starts and one
 * line when the queue has room again.
 *
 * <p>Failure policy: a send that throws, returns no stage, completes exceptionally or gives no
 * answer within the send timeout counts as failed and is not retried ("never"), except in two
 * cases where the message goes back to the head of the queue: the sink service was unregistered or
 * replaced while the send was under way (a redeploy), or the sink answered "not now"
 * ({@link EndpointUnavailableException}: not connected, reconnecting). After a "not now" the queue
 * waits until the endpoint reports itself online ({@link #endpointOnline()}), or at the latest
 * {@link #RETRY_AFTER}, then sends again in order. Messages older than the gateway's maximum age
 * are dropped from the head and counted as expired, one warning per burst.
 */
final class SinkQueue {

    private static final Logger LOG = LoggerFactory.getLogger(SinkQueue.class);
    /** Messages taken from the queue per round of the delivery loop. */
    private static final int BATCH = 256;
    /** A queue told "not now" tries again after this long even without an online event. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final String endpoint;
    private final DeliveryLoop delivery;
    private final ArrayDeque<Message> messages = new ArrayDeque<>();
    private final Streak drops = new Streak();
    private final Streak expiries = new Streak();
    // touched only by whoever has the queue's turn to send: the loop, or the answer of the message in flight
    private final Streak failures = new Streak();
    // the loop's alone: the batch it took and the sink it goes to
    private final List<Message> taken = new ArrayList<>(BATCH);
    private MessageSink takenFor;

    private String gateway;
    private int capacity;
    private Duration maxAge;
    private MessageSink sink;
    private boolean inFlight;
    /** System.nanoTime() until which the sink said "not now"; 0 when it did not. */
    private long waitingUntil;
    private long expired;
    private boolean absenceLogged;
    private boolean retired;
    private boolean finished;
    private long delivered;
    private long failed;
    private long dropped;
    private long dropWarnings;

    private SinkQueue(String gateway, String endpoint, int capacity, Duration maxAge, MessageSink sink,
                      DeliveryLoop delivery) {
        this.gateway = gateway;
        this.endpoint = endpoint;
        this.capacity = capacity;
        this.maxAge = maxAge;
        this.sink = sink;
        this.delivery = delivery;
    }

    /** Creates the queue and has {@code delivery} serve it. */
    static SinkQueue start(String gateway, String endpoint, int capacity, Duration maxAge, MessageSink sink,
                           DeliveryLoop delivery) {
        SinkQueue queue = new SinkQueue(gateway, endpoint, capacity, maxAge, sink, delivery);
        delivery.serve(queue);
        return queue;
    }

    String endpoint() {
        return endpoint;
    }

    /** Appends a message for delivery, dropping the oldest when the queue is full. */
    void offer(Message message) {
        synchronized (delivery) {
            if (delivery.closed()) {
                return;
            }
            messages.addLast(message);
            trimToCapacity();
            if (sink == null && !absenceLogged) {
                absenceLogged = true;
                LOG.info("Sink {} is absent: gateway {} queues its messages (up to {})", endpoint, gateway, capacity);
            }
            if (ready()) {
                delivery.wakeIfSleeping();
            }
        }
    }

    /** The endpoint's sink came (non-null) or went (null). */
    void attach(MessageSink current) {
        synchronized (delivery) {
            boolean returning = sink == null && current != null;
            sink = current;
            if (returning) {
                absenceLogged = false;
                if (!messages.isEmpty()) {
                    LOG.info("Sink {} is back: gateway {} delivers {} queued messages", endpoint, gateway,
                            messages.size());
                }
            }
            if (ready()) {
                delivery.wakeIfSleeping();
            }
        }
    }

    void reconfigure(String gatewayName, int newCapacity, Duration newMaxAge) {
        synchronized (delivery) {
            gateway = gatewayName;
            capacity = newCapacity;
            maxAge = newMaxAge;
            trimToCapacity();
        }
    }

    /** The endpoint reports itself online: a queue told "not now" sends again at once. */
    void endpointOnline() {
        synchronized (delivery) {
            if (waitingUntil != 0) {
                waitingUntil = 0;
                LOG.info("Sink {} is online again: gateway {} delivers {} held messages", endpoint, gateway,
                        messages.size());
                if (ready()) {
                    delivery.wakeIfSleeping();
                }
            }
        }
    }

    /** Nanoseconds until a queue told "not now" tries again, or 0 when it does not wait. The caller holds the lock. */
    long waitingNanos(long now) {
        return waitingUntil == 0 || messages.isEmpty() ? 0 : Math.max(1, waitingUntil - now);
    }

    /** The endpoint is no longer a destination: deliver what is queued, then end. */
    void retire() {
        synchronized (delivery) {
            retired = true;
            delivery.wakeIfSleeping();
        }
    }

    /** The endpoint is a destination again; false when this queue has already ended. */
    boolean revive() {
        synchronized (delivery) {
            if (finished || delivery.closed()) {
                return false;
            }
            retired = false;
            return true;
        }
    }

    SinkInfo info() {
        synchronized (delivery) {
            return new SinkInfo(endpoint, sink != null, messages.size(), delivered, failed, dropped, expired,
                    waitingUntil != 0);
        }
    }

    /** How many drop bursts were warned about; exposed so tests can check one line per burst. */
    long dropWarnings() {
        synchronized (delivery) {
            return dropWarnings;
        }
    }

    /** Empties the queue for good; returns its messages in order. The caller holds the loop's lock. */
    List<Message> takeAll() {
        List<Message> all = new ArrayList<>(messages);
        messages.clear();
        if (inFlight) {
            LOG.warn("Gateway {} stops with a message to sink {} unanswered: it may or may not have been delivered",
                    gateway, endpoint);
        }
        return all;
    }

    /** Puts messages a previous router left back in the queue, in order, before anything new. */
    void restore(List<Message> left) {
        synchronized (delivery) {
            for (int i = left.size() - 1; i >= 0; i--) {
                messages.addFirst(left.get(i));
            }
            trimToCapacity();
            if (ready()) {
                delivery.wakeIfSleeping();
            }
        }
    }

    /** Nothing more can go out now: empty, or its sink absent or not online, and nothing under way. The caller holds the lock. */
    boolean idle() {
        return !inFlight && taken.isEmpty() && (messages.isEmpty() || sink == null || waitingUntil != 0);
    }

    /** Ends a retired queue with nothing left to deliver; true when it has ended. The caller holds the loop's lock. */
    boolean finishIfRetiredAndDrained() {
        finished = retired && messages.isEmpty() && !inFlight;
        return finished;
    }

    /** Takes the next batch when the queue is ready; true when it took one. The caller holds the loop's lock. */
    boolean take() {
        if (!ready()) {
            return false;
        }
        Instant oldestAllowed = Instant.now().minus(maxAge);
        int expiredNow = 0;
        while (taken.size() < BATCH && !messages.isEmpty()) {
            Message next = messages.removeFirst();
            if (next.time().isBefore(oldestAllowed)) {
                expire(next);
                expiredNow++;
            } else {
                taken.add(next);
            }
        }
        if (expiredNow == 0 && expiries.active() && !taken.isEmpty()) {
            LOG.info("Gateway {} delivers to sink {} again after {} expired messages", gateway, endpoint,
                    expiries.end());
        }
        if (taken.isEmpty()) {
            return false;
        }
        takenFor = sink;
        if (drops.active() && messages.size() < capacity) {
            LOG.info("Queue of gateway {} for sink {} has room again; {} oldest messages were dropped",
                    gateway, endpoint, drops.end());
        }
        return true;
    }

    private boolean ready() {
        if (waitingUntil != 0 && System.nanoTime() - waitingUntil >= 0) {
            waitingUntil = 0;
        }
        return sink != null && !inFlight && waitingUntil == 0 && !messages.isEmpty();
    }

    /** Drops a message that waited longer than the maximum age. The caller holds the lock. */
    private void expire(Message old) {
        expired++;
        if (expiries.record()) {
            LOG.warn("Gateway {} drops message {} for sink {}: older than {} s; further expired messages are"
                    + " counted until a fresh one is delivered", gateway, old.id(), endpoint, maxAge.toSeconds());
        }
    }

    /**
     * The sink said "not now": {@code message} and the rest go back to the head, and the queue waits
     * for the endpoint to be online. The caller holds the lock.
     */
    private void waitForEndpoint(Message message, Throwable why) {
        boolean first = waitingUntil == 0;
        waitingUntil = System.nanoTime() + RETRY_AFTER.toNanos();
        if (first) {
            LOG.info("Sink {} cannot take messages now ({}): gateway {} holds them until it is online", endpoint,
                    describeCause(why), gateway);
        }
    }

    private static boolean notNow(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof EndpointUnavailableException;
    }

    /**
     * Sends the batch taken, in order, without waiting for the sink: stops at the first send whose
     * answer is not in yet, and on a redeploy puts the unsent rest back in front. Called by the
     * loop's thread without the lock.
     */
    void sendTaken() {
        MessageSink target = takenFor;
        long sent = 0;
        try {
            for (int next = 0; next < taken.size(); next++) {
                if (Thread.currentThread().isInterrupted()) {
                    // closing: the rest of the batch goes back, for the next router
                    synchronized (delivery) {
                        putBack(next);
                    }
                    return;
                }
                Message message = taken.get(next);
                CompletableFuture<Void> answer = send(target, message);
                if (!answer.isDone()) {
                    awaitAnswer(target, message, answer, next + 1);
                    return;
                }
                if (!answer.isCompletedExceptionally()) {
                    sent++;
                    endFailures();
                    continue;
                }
                Throwable error = answer.handle((ignored, failure) -> failure).join();
                synchronized (delivery) {
                    if (redeployedFrom(target)) {
                        putBack(next);
                        return;
                    }
                    if (notNow(error)) {
                        putBack(next);
                        waitForEndpoint(message, error);
                        return;
                    }
                    failed++;
                }
                recordFailure(message, error);
            }
        } finally {
            synchronized (delivery) {
                delivered += sent;
            }
            taken.clear();
            takenFor = null;
        }
    }

    /** Sends one message; the answer is complete at once when the sink answered at once. */
    private static CompletableFuture<Void> send(MessageSink target, Message message) {
        CompletionStage<Void> stage;
        try {
            stage = target.send(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("send threw " + describeCause(e), e));
        }
        if (stage == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("send returned no completion stage"));
        }
        if (stage instanceof CompletableFuture<Void> done && done.isDone() && !done.isCompletedExceptionally()) {
            return done;
        }
        CompletableFuture<Void> answer = new CompletableFuture<>();
        stage.whenComplete((ignored, error) -> {
            if (error == null) {
                answer.complete(null);
            } else {
                answer.completeExceptionally(error);
            }
        });
        return answer;
    }

    /** Leaves {@code message} in flight and puts the taken messages from {@code rest} on back in front. */
    private void awaitAnswer(MessageSink target, Message message, CompletableFuture<Void> answer, int rest) {
        synchronized (delivery) {
            inFlight = true;
            putBack(rest);
        }
        answer.orTimeout(delivery.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ignored, error) -> answered(target, message, error));
    }

    /** The answer to the message in flight, on whichever thread gave it (the timeout's included). */
    private void answered(MessageSink target, Message message, Throwable error) {
        synchronized (delivery) {
            if (delivery.closed()) {
                return;
            }
            inFlight = false;
            if (error == null) {
                delivered++;
                endFailures();
            } else if (redeployedFrom(target)) {
                messages.addFirst(message);
                trimToCapacity();
            } else if (notNow(error)) {
                messages.addFirst(message);
                trimToCapacity();
                waitForEndpoint(message, error);
            } else {
                failed++;
                recordFailure(message, error);
            }
            // the streaks above stay under the lock: once in flight is cleared, the loop may send again
            if (ready() || retired) {
                delivery.wakeIfSleeping();
            }
        }
    }

    /** Whether a send to {@code target} failed because the sink left or was replaced meanwhile. The caller holds the lock. */
    private boolean redeployedFrom(MessageSink target) {
        return sink != target && !delivery.closed();
    }

    private void endFailures() {
        long failedBefore = failures.end();
        if (failedBefore > 0) {
            LOG.info("Sink {} accepts messages again (gateway {}) after {} failed", endpoint, gateway, failedBefore);
        }
    }

    private void recordFailure(Message message, Throwable error) {
        if (failures.record()) {
            LOG.warn("Sink {} failed message {} (gateway {}): {}; further failures are counted until one"
                    + " succeeds", endpoint, message.id(), gateway, describe(error));
        }
    }

    /** Puts the taken messages from {@code from} on back at the head of the queue, in order. The caller holds the lock. */
    private void putBack(int from) {
        for (int i = taken.size() - 1; i >= from; i--) {
            messages.addFirst(taken.get(i));
        }
        taken.clear();
        trimToCapacity();
    }

    private void trimToCapacity() {
        while (messages.size() > capacity) {
            messages.removeFirst();
            dropped++;
            if (drops.record()) {
                dropWarnings++;
                LOG.warn("Queue of gateway {} for sink {} is full ({} messages): dropping the oldest until it drains",
                        gateway, endpoint, capacity);
            }
        }
    }

    private String describe(Throwable error) {
        return error instanceof TimeoutException
                ? "no answer within " + delivery.sendTimeout().toMillis() + " ms"
                : describeCause(error);
    }

    private static String describeCause(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
    }
}
