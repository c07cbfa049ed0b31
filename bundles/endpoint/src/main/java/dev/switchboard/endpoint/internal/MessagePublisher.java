package dev.switchboard.endpoint.internal;

import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageSource} side of an endpoint: its subscribed listeners, and one thread of its
 * own, {@code switchboard-<protocol>-<endpoint id>-source}, that hands each published message to
 * every listener in the order it was published. The protocol's threads publish and return at
 * once; up to {@code queueLimit} messages wait for the listeners, a message beyond that is
 * dropped, counted in {@link #dropped()} and logged. A listener that throws is logged, counted
 * in {@link #listenerFailures()}, stays subscribed, and the other listeners still get the message.
 *
 * <p>While nobody is subscribed (the router is being updated) messages are held, up to
 * {@code queueLimit}, the oldest dropped beyond that (counted and logged once per burst), and
 * delivered in order to the next listener that subscribes: nothing published is lost silently.
 *
 * <p>Restartable, as an endpoint is across configuration edits: subscriptions last for the
 * publisher's life, {@link #start(String)} begins a thread for an endpoint id, {@link #stop()}
 * ends it once the messages already queued are delivered. While stopped a published message is
 * not kept (and not counted as dropped). Thread-safe.
 */
public final class MessagePublisher {

    private static final Logger LOG = LoggerFactory.getLogger(MessagePublisher.class);

    /** An idle source thread ends after this long and is started again by the next message. */
    private static final long IDLE_SECONDS = 30;
    /** How long a stop waits for the queued messages to reach the listeners. */
    private static final long DRAIN_SECONDS = 5;

    private final String protocol;
    private final int queueLimit;
    private final List<MessageListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();
    // the source thread's alone: messages that found nobody subscribed, oldest first
    private final ArrayDeque<Message> held = new ArrayDeque<>();
    private boolean holdDropsWarned;
    // written under this, read without it by the protocol's threads
    private volatile ThreadPoolExecutor executor;
    private volatile String endpointId = "";
    // true once started and stopped again: late messages are delivered, not refused
    private volatile boolean stopped;
    private final Object lateDeliveries = new Object();

    /**
     * @param protocol   names the source thread with the endpoint id, so thread dumps and leak checks can tell it apart
     * @param queueLimit messages waiting for the listeners before new ones are dropped; positive
     */
    public MessagePublisher(String protocol, int queueLimit) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queueLimit must be positive, got " + queueLimit);
        }
        this.queueLimit = queueLimit;
    }

    /**
     * Publishes from now on, on a thread named for {@code endpointId}; a running publisher is
     * stopped first (its queued messages are still delivered, on its own thread).
     */
    public synchronized void start(String endpointId) {
        stop();
        stopped = false;
        this.endpointId = Objects.requireNonNull(endpointId, "endpointId");
        String threadName = threadName(protocol, endpointId);
        ThreadPoolExecutor next = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(queueLimit), task -> {
                    Thread thread = new Thread(task, threadName);
                    thread.setDaemon(true);
                    return thread;
                });
        next.allowCoreThreadTimeOut(true);
        executor = next;
    }

    /**
     * Takes no new message; the queued ones are delivered and then the thread ends. A later
     * {@link #start(String)} begins again. Idempotent.
     */
    public synchronized void stop() {
        ThreadPoolExecutor running = executor;
        executor = null;
        if (running != null) {
            stopped = true;
            running.shutdown();
            awaitDelivered(running);
        }
    }

    /**
     * Waits (bounded) until the messages queued before a stop reached the listeners, so that an
     * endpoint going away hands everything it accepted to the router before it unregisters. Not on
     * the source thread itself, which would wait for itself.
     */
    private void awaitDelivered(ThreadPoolExecutor stopped) {
        if (Thread.currentThread().getName().equals(threadName(protocol, endpointId))) {
            return;
        }
        try {
            if (!stopped.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("{}: listeners did not take the last {} messages within {} s", endpointId,
                        stopped.getQueue().size(), DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True between {@link #start(String)} and {@link #stop()}. */
    public boolean running() {
        return executor != null;
    }

    /** The name of the source thread for an endpoint: {@code switchboard-<protocol>-<endpointId>-source}. */
    public static String threadName(String protocol, String endpointId) {
        return "switchboard-" + protocol + "-" + endpointId + "-source";
    }

    /**
     * What {@link MessageSource#subscribe} returns: the listener gets every message published until
     * closed, beginning with the ones held while nobody was subscribed.
     */
    public Subscription subscribe(MessageListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        ThreadPoolExecutor running = executor;
        if (running != null) {
            try {
                // the source thread hands out what it held before anything published later
                running.execute(() -> deliver(null));
            } catch (RejectedExecutionException e) {
                // stopped or full: the next delivery hands them out
            }
        }
        return () -> listeners.remove(listener);
    }

    /** Messages held right now because nobody is subscribed. */
    public int held() {
        synchronized (held) {
            return held.size();
        }
    }

    /**
     * Queues a message for the listeners.
     *
     * @return true if queued (also while nobody is subscribed: then it is held); false while
     *         stopped (not kept), or when {@code queueLimit} messages are already waiting (dropped,
     *         counted and logged)
     */
    public boolean publish(Message message) {
        Objects.requireNonNull(message, "message");
        return queue(() -> deliver(message), message);
    }

    /**
     * Queues a message that is built on the source thread, just before the listeners get it, so
     * the protocol's thread does not wait for the conversion. The supplier may return null: then
     * there is nothing to deliver (say, the endpoint was stopped meanwhile).
     *
     * @return as {@link #publish(Message)}
     */
    public boolean publish(Supplier<Message> message) {
        Objects.requireNonNull(message, "message");
        return queue(() -> deliver(message.get()), null);
    }

    /** Messages dropped because the listeners were {@code queueLimit} messages behind. */
    public long dropped() {
        return dropped.sum();
    }

    /** Listener calls that threw. */
    public long listenerFailures() {
        return listenerFailures.sum();
    }

    private boolean queue(Runnable delivery, Message message) {
        ThreadPoolExecutor running = executor;
        if (running == null) {
            return stopped && deliverLate(delivery, message);
        }
        try {
            running.execute(delivery);
            return true;
        } catch (RejectedExecutionException e) {
            if (running.isShutdown()) {
                // stopped meanwhile: after what was queued before the stop
                awaitDelivered(running);
                return deliverLate(delivery, message);
            }
            dropped.increment();
            if (message == null) {
                LOG.warn("{}: dropped a message: listeners are {} messages behind", endpointId, queueLimit);
            } else {
                LOG.warn("{}: dropped message {} on {}: listeners are {} messages behind", endpointId, message.id(),
                        message.channel(), queueLimit);
            }
            return false;
        }
    }

    /**
     * A message the protocol published after the endpoint stopped (a frame that arrived while its
     * connection was closing): delivered on the caller's thread, one at a time, after everything
     * queued before the stop, so that nothing the protocol received is lost silently.
     */
    private boolean deliverLate(Runnable delivery, Message message) {
        synchronized (lateDeliveries) {
            if (listeners.isEmpty()) {
                dropped.increment();
                LOG.warn("{}: dropped {} that arrived after the endpoint stopped, with nobody subscribed", endpointId,
                        message == null ? "a message" : "message " + message.id());
                return false;
            }
            delivery.run();
            return true;
        }
    }

    /** On the source thread: hands out what was held first, or holds the message while nobody is subscribed. */
    private void deliver(Message message) {
        if (listeners.isEmpty()) {
            hold(message);
            return;
        }
        Message oldest;
        while ((oldest = unhold()) != null) {
            deliverNow(oldest);
        }
        if (message != null) {
            deliverNow(message);
        }
    }

    private void hold(Message message) {
        if (message == null) {
            return;
        }
        synchronized (held) {
            held.addLast(message);
            if (held.size() > queueLimit) {
                Message dropping = held.removeFirst();
                dropped.increment();
                if (!holdDropsWarned) {
                    holdDropsWarned = true;
                    LOG.warn("{}: nobody subscribed and {} messages held: dropping the oldest (first {} on {})"
                            + " until a listener subscribes", endpointId, queueLimit, dropping.id(), dropping.channel());
                }
            }
        }
    }

    private Message unhold() {
        synchronized (held) {
            Message oldest = held.pollFirst();
            if (oldest == null && holdDropsWarned) {
                holdDropsWarned = false;
            }
            return oldest;
        }
    }

    private void deliverNow(Message message) {
        for (MessageListener listener : listeners) {
            try {
                listener.onMessage(message);
            } catch (RuntimeException e) {
                listenerFailures.increment();
                LOG.warn("{}: listener failed on message {}: {}", endpointId, message.id(), e.toString());
            }
        }
    }
}
