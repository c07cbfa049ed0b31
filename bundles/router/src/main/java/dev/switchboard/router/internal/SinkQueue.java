package dev.switchboard.router.internal;

import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.router.SinkInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A gateway's bounded queue for one destination endpoint, with the one thread that delivers it.
 *
 * <p>Messages wait here while the endpoint's sink is absent (a redeploy) and go out in order, one
 * at a time, once it is present: the next message is sent when the sink has answered for the
 * previous one. The thread takes them in batches, so a busy queue costs one lock hand-off per
 * batch rather than per message. When full, the oldest message is dropped and counted; a burst of drops logs one
 * warning when it starts and one line when the queue has room again.
 *
 * <p>Failure policy: a send that throws, returns no stage, completes exceptionally or gives no
 * answer within the send timeout counts as failed and is not retried, except when the sink
 * service was unregistered or replaced while the send was under way: then the failure is the
 * redeploy's, and the message goes back to the head of the queue for the sink's return.
 */
final class SinkQueue {

    private static final Logger LOG = LoggerFactory.getLogger(SinkQueue.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    /** Messages taken from the queue per lock acquisition. */
    private static final int BATCH = 256;

    private final String endpoint;
    private final Duration sendTimeout;
    private final Consumer<SinkQueue> onRetiredAndDrained;
    private final ArrayDeque<Message> messages = new ArrayDeque<>();
    private final Streak drops = new Streak();
    private final Streak failures = new Streak(); // the delivery thread's alone
    private final Thread worker;

    private String gateway;
    private int capacity;
    private MessageSink sink;
    private boolean absenceLogged;
    private boolean retired;
    private boolean closed;
    private boolean finished;
    private long delivered;
    private long failed;
    private long dropped;
    private long dropWarnings;

    private SinkQueue(String gateway, String endpoint, int capacity, MessageSink sink, Duration sendTimeout,
                      Consumer<SinkQueue> onRetiredAndDrained) {
        this.gateway = gateway;
        this.endpoint = endpoint;
        this.capacity = capacity;
        this.sink = sink;
        this.sendTimeout = sendTimeout;
        this.onRetiredAndDrained = onRetiredAndDrained;
        this.worker = new Thread(this::deliverLoop, threadName(gateway, endpoint));
        worker.setDaemon(true);
    }

    /**
     * Creates the queue and starts its delivery thread.
     *
     * @param onRetiredAndDrained called from the delivery thread when a retired queue has delivered
     *                            its last message and its thread ends
     */
    static SinkQueue start(String gateway, String endpoint, int capacity, MessageSink sink, Duration sendTimeout,
                           Consumer<SinkQueue> onRetiredAndDrained) {
        SinkQueue queue = new SinkQueue(gateway, endpoint, capacity, sink, sendTimeout, onRetiredAndDrained);
        queue.worker.start();
        return queue;
    }

    static String threadName(String gateway, String endpoint) {
        return "switchboard-router-" + gateway + "-" + endpoint;
    }

    String endpoint() {
        return endpoint;
    }

    /** Appends a message for delivery, dropping the oldest when the queue is full. */
    synchronized void offer(Message message) {
        if (closed) {
            return;
        }
        boolean wasEmpty = messages.isEmpty();
        messages.addLast(message);
        trimToCapacity();
        if (sink == null && !absenceLogged) {
            absenceLogged = true;
            LOG.info("Sink {} is absent: gateway {} queues its messages (up to {})", endpoint, gateway, capacity);
        }
        // the worker only waits on an empty queue (or an absent sink, which attach() signals)
        if (wasEmpty) {
            notifyAll();
        }
    }

    /** The endpoint's sink came (non-null) or went (null). */
    synchronized void attach(MessageSink current) {
        boolean returning = sink == null && current != null;
        sink = current;
        if (returning) {
            absenceLogged = false;
            if (!messages.isEmpty()) {
                LOG.info("Sink {} is back: gateway {} delivers {} queued messages", endpoint, gateway, messages.size());
            }
        }
        notifyAll();
    }

    synchronized void reconfigure(String gatewayName, int newCapacity) {
        if (!gatewayName.equals(gateway)) {
            gateway = gatewayName;
            worker.setName(threadName(gatewayName, endpoint));
        }
        capacity = newCapacity;
        trimToCapacity();
    }

    /** The endpoint is no longer a destination: deliver what is queued, then end. */
    synchronized void retire() {
        retired = true;
        notifyAll();
    }

    /** The endpoint is a destination again; false when this queue has already ended. */
    synchronized boolean revive() {
        if (finished || closed) {
            return false;
        }
        retired = false;
        return true;
    }

    /** Stops delivering and waits for the delivery thread to end; returns the messages discarded. */
    int close() {
        int discarded;
        synchronized (this) {
            closed = true;
            discarded = messages.size();
            messages.clear();
            notifyAll();
        }
        // a send may be waiting for its stage: interrupt it
        worker.interrupt();
        try {
            worker.join(JOIN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.warn("Delivery thread {} did not end within {}", worker.getName(), JOIN_TIMEOUT);
        }
        return discarded;
    }

    synchronized SinkInfo info() {
        return new SinkInfo(endpoint, sink != null, messages.size(), delivered, failed, dropped);
    }

    /** How many drop bursts were warned about; exposed so tests can check one line per burst. */
    synchronized long dropWarnings() {
        return dropWarnings;
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

    private void deliverLoop() {
        List<Message> batch = new ArrayList<>(BATCH);
        while (true) {
            MessageSink target;
            synchronized (this) {
                try {
                    while (!closed && !(retired && messages.isEmpty()) && (sink == null || messages.isEmpty())) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
                if (messages.isEmpty()) {
                    finished = true;
                    break;
                }
                // take a batch under one lock, so producers and this thread meet once per batch
                while (batch.size() < BATCH && !messages.isEmpty()) {
                    batch.add(messages.removeFirst());
                }
                target = sink;
                if (drops.active() && messages.size() < capacity) {
                    LOG.info("Queue of gateway {} for sink {} has room again; {} oldest messages were dropped",
                            gateway, endpoint, drops.end());
                }
            }
            deliver(target, batch);
            batch.clear();
        }
        onRetiredAndDrained.accept(this);
    }

    /** Sends a batch in order, one message at a time; on a redeploy puts the unsent rest back in front. */
    private void deliver(MessageSink target, List<Message> batch) {
        long sent = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (Thread.currentThread().isInterrupted()) {
                return; // close(): the rest of the batch is discarded with the queue
            }
            Message next = batch.get(i);
            String failure = send(target, next);
            if (failure == null) {
                sent++;
                long failedBefore = failures.end();
                if (failedBefore > 0) {
                    LOG.info("Sink {} accepts messages again (gateway {}) after {} failed", endpoint, gateway,
                            failedBefore);
                }
                continue;
            }
            synchronized (this) {
                if (sink != target && !closed) {
                    for (int j = batch.size() - 1; j >= i; j--) {
                        messages.addFirst(batch.get(j));
                    }
                    trimToCapacity();
                    delivered += sent;
                    return;
                }
                failed++;
            }
            if (failures.record()) {
                LOG.warn("Sink {} failed message {} (gateway {}): {}; further failures are counted until one"
                        + " succeeds", endpoint, next.id(), gateway, failure);
            }
        }
        synchronized (this) {
            delivered += sent;
        }
    }

    /** Sends one message and waits for the sink's answer; returns null on success, else why not. */
    private String send(MessageSink target, Message message) {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        try {
            CompletionStage<Void> stage = target.send(message);
            if (stage == null) {
                return "send returned no completion stage";
            }
            if (stage instanceof CompletableFuture<Void> done && done.isDone() && !done.isCompletedExceptionally()) {
                return null;
            }
            stage.whenComplete((ignored, error) -> {
                if (error == null) {
                    answer.complete(null);
                } else {
                    answer.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            return "send threw " + describe(e);
        }
        try {
            answer.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return describe(e.getCause());
        } catch (TimeoutException e) {
            return "no answer within " + sendTimeout.toMillis() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
    }
}
