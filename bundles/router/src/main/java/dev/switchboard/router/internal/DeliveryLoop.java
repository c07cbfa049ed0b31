package dev.switchboard.router.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import dev.switchboard.api.Message;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one thread that delivers every {@link SinkQueue} of a gateway, whatever its number of sinks.
 *
 * <p>Each round takes a batch from every queue that has messages, a present sink and no message in
 * flight, then sends those batches queue after queue. It never waits for a sink: a send whose stage
 * is not complete yet leaves its queue in flight and the loop serves the other queues until the
 * stage's callback hands the queue back. The loop sleeps only when no queue is ready, and is woken
 * only then, so a busy producer does not pay a wake-up per message.
 *
 * <p>The loop's monitor is the lock of all its queues' state.
 */
final class DeliveryLoop {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLoop.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final Duration sendTimeout;
    private final Consumer<SinkQueue> onRetiredAndDrained;
    private final List<SinkQueue> queues = new ArrayList<>();
    private final Thread thread;
    private boolean sleeping;
    private boolean closed;

    /**
     * @param onRetiredAndDrained called from the loop's thread, without its lock, when a retired
     *                            queue has delivered its last message and is no longer served
     */
    DeliveryLoop(String gateway, Duration sendTimeout, Consumer<SinkQueue> onRetiredAndDrained) {
        this.sendTimeout = sendTimeout;
        this.onRetiredAndDrained = onRetiredAndDrained;
        this.thread = new Thread(this::run, threadName(gateway));
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    static String threadName(String gateway) {
        return "switchboard-router-" + gateway;
    }

    Duration sendTimeout() {
        return sendTimeout;
    }

    /** A new queue to serve; a closed loop leaves it closed. */
    synchronized void serve(SinkQueue queue) {
        if (!closed) {
            queues.add(queue);
            wakeIfSleeping();
        }
    }

    void rename(String gateway) {
        thread.setName(threadName(gateway));
    }

    /** Wakes the thread if it waits for work; the caller holds the lock and has made a queue ready. */
    void wakeIfSleeping() {
        if (sleeping) {
            sleeping = false;
            notifyAll();
        }
    }

    /** Whether the loop was closed; the caller holds the lock. */
    boolean closed() {
        return closed;
    }

    /** True when no queue can send anything more right now. */
    synchronized boolean idle() {
        return queues.stream().allMatch(SinkQueue::idle);
    }

    /**
     * Stops delivering, waits for the thread to end and returns what every queue still holds, by
     * destination endpoint, in order (a batch being sent is put back first).
     */
    Map<String, List<Message>> closeAndTake() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        // a sink may hold the thread inside send: interrupt it
        thread.interrupt();
        try {
            thread.join(JOIN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Delivery thread {} did not end within {}", thread.getName(), JOIN_TIMEOUT);
        }
        Map<String, List<Message>> left = new LinkedHashMap<>();
        synchronized (this) {
            for (SinkQueue queue : queues) {
                List<Message> messages = queue.takeAll();
                if (!messages.isEmpty()) {
                    left.computeIfAbsent(queue.endpoint(), endpoint -> new ArrayList<>()).addAll(messages);
                }
            }
            queues.clear();
        }
        return left;
    }

    private void run() {
        List<SinkQueue> round = new ArrayList<>();
        List<SinkQueue> drained = new ArrayList<>();
        while (true) {
            synchronized (this) {
                try {
                    while (!closed && !takeRound(round, drained)) {
                        sleeping = true;
                        long waitNanos = nextRetryNanos();
                        if (waitNanos == 0) {
                            wait();
                        } else {
                            // a queue told "not now" tries again by itself when its time comes
                            TimeUnit.NANOSECONDS.timedWait(this, waitNanos);
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                }
                sleeping = false;
                if (closed) {
                    return;
                }
            }
            drained.forEach(onRetiredAndDrained);
            drained.clear();
            for (SinkQueue queue : round) {
                queue.sendTaken();
            }
            round.clear();
        }
    }

    /** Nanoseconds until the first queue told "not now" tries again; 0 when none waits. The caller holds the lock. */
    private long nextRetryNanos() {
        long now = System.nanoTime();
        long next = 0;
        for (SinkQueue queue : queues) {
            long waiting = queue.waitingNanos(now);
            if (waiting > 0 && (next == 0 || waiting < next)) {
                next = waiting;
            }
        }
        return next;
    }

    /** Takes a batch from every ready queue and lets go of drained retired ones; false when there was nothing to do. */
    private boolean takeRound(List<SinkQueue> round, List<SinkQueue> drained) {
        for (Iterator<SinkQueue> it = queues.iterator(); it.hasNext(); ) {
            SinkQueue queue = it.next();
            if (queue.finishIfRetiredAndDrained()) {
                it.remove();
                drained.add(queue);
            } else if (queue.take()) {
                round.add(queue);
            }
        }
        return !round.isEmpty() || !drained.isEmpty();
    }
}
