package dev.switchboard.cluster.internal;

import dev.switchboard.api.cluster.ClusterTopics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One endpoint's shared topics on Redis, after Centrifugo's Redis engine: a stream per topic,
 * appended and published in one script ({@link TopicPublisher}, on its own thread), one pattern
 * subscription per node that catches up from the streams after an outage ({@link TopicSubscriber},
 * on its own thread), and presence as a set scored by expiry plus a hash of counts.
 */
final class RedisTopics implements ClusterTopics {

    private final TopicPublisher publisher;
    private final TopicSubscriber subscriber;
    /** This node's run: its messages carry it, so it never delivers its own twice. */
    private final String origin;
    /**
     * Per topic, so a receiver that sees a number skipped knows how many of that topic it missed
     * (kept for the run: a number that started again would read as a copy of an older message).
     */
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private final Runnable onClose;

    RedisTopics(RedisConnection redis, String nodeId, String namespace, Settings settings, Listener listener,
                Runnable onClose) {
        TopicKeys keys = new TopicKeys(redis.settings().keyPrefix(), namespace);
        this.origin = nodeId + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.publisher = new TopicPublisher(redis, keys, nodeId, settings.streamSize(), settings.streamTtl(), namespace);
        this.subscriber = new TopicSubscriber(redis, keys, origin, settings, listener, namespace);
        this.onClose = onClose;
        subscriber.start();
        publisher.start();
    }

    /** Numbered and queued under the topic's own lock: its numbers enter the queue in order, whoever calls. */
    @Override
    public boolean publish(String topic, String event, String data, boolean remembered) {
        AtomicLong sequence = sequences.computeIfAbsent(topic, t -> new AtomicLong());
        synchronized (sequence) {
            return publisher.publish(topic, new Envelope(origin, sequence.incrementAndGet(), remembered, event, data));
        }
    }

    @Override
    public void localSubscribers(String topic, int count) {
        publisher.localSubscribers(topic, count);
    }

    @Override
    public int subscribers(String topic) {
        return publisher.subscribers(topic);
    }

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("queued", publisher.queued());
        figures.put("published", publisher.published());
        figures.put("dropped", publisher.dropped());
        figures.put("received", subscriber.received());
        figures.put("recovered", subscriber.recovered());
        figures.put("duplicatesDropped", subscriber.duplicates());
        figures.put("missed", subscriber.missed());
        return figures;
    }

    @Override
    public void close() {
        publisher.close();
        subscriber.close();
        onClose.run();
    }
}
