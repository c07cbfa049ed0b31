package dev.switchboard.router.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    /** Stops delivering, discards every queued message and waits for the thread to end; returns the messages discarded. */
    int close() {
        int discarded = 0;
        synchronized (this) {
            closed = true;
            for (SinkQueue queue : queues) {
                discarded += queue.discard();
            }
            queues.clear();
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
        return discarded;
    }

    private void run() {
        List<SinkQueue> round = new ArrayList<>();
        List<SinkQueue> drained = new ArrayList<>();
        while (true) {
            synchronized (this) {
                try {
                    while (!closed && !takeRound(round, drained)) {
                        sleeping = true;
                        wait();
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
