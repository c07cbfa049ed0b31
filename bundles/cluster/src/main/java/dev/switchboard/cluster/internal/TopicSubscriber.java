package dev.switchboard.cluster.internal;

import dev.switchboard.api.cluster.ClusterTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Hears one namespace's topics on one Redis connection of its own, on its own thread (a Jedis
 * subscription blocks it). Each time the subscription is (re)confirmed, before any message after
 * it is read, it catches up from the streams: the history of a topic it had not heard of, and
 * every message after the last one it saw on a topic it knows, so an outage loses nothing the
 * streams still hold. A message is delivered at most once: one whose stream id is not after the
 * topic's last, one from this node's own run, and a second copy of a publisher's message (same
 * sequence number) are dropped.
 */
final class TopicSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSubscriber.class);
    private static final int PAGE = 1000;
    private static final Duration WAIT = Duration.ofSeconds(1);
    /** Messages between two looks for topics whose streams expired. */
    private static final int FORGET_EVERY = 10_000;

    private final RedisConnection redis;
    private final TopicKeys keys;
    private final String origin;
    private final int streamSize;
    private final Duration streamTtl;
    private final ClusterTopics.Listener listener;
    private final Thread thread;
    // the subscriber thread's alone
    private final Map<String, StreamEntryID> lastIds = new HashMap<>();
    private final Map<String, Map<String, Long>> lastSeqs = new HashMap<>();
    /** The latest stream id seen on any topic: a topic first seen later missed what came after it. */
    private StreamEntryID horizon;
    private int sinceForgetting;
    private final LongAdder received = new LongAdder();
    private final LongAdder recovered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder missed = new LongAdder();
    private volatile Jedis connection;
    private volatile boolean closed;

    TopicSubscriber(RedisConnection redis, TopicKeys keys, String origin, ClusterTopics.Settings settings,
                    ClusterTopics.Listener listener, String namespace) {
        this.redis = redis;
        this.keys = keys;
        this.origin = origin;
        this.streamSize = settings.streamSize();
        this.streamTtl = settings.streamTtl();
        this.listener = listener;
        this.thread = new Thread(this::run, "switchboard-cluster-subscribe-" + namespace);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    long received() {
        return received.sum();
    }

    long recovered() {
        return recovered.sum();
    }

    long duplicates() {
        return duplicates.sum();
    }

    long missed() {
        return missed.sum();
    }

    void close() {
        closed = true;
        Jedis open = connection;
        if (open != null) {
            open.close();
        }
        thread.interrupt();
    }

    private void run() {
        while (!closed) {
            try {
                if (!redis.awaitOnline(WAIT)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            try (Jedis jedis = redis.dedicated()) {
                connection = jedis;
                if (closed) {
                    return;
                }
                jedis.psubscribe(new Subscription(), keys.channelPattern());
            } catch (JedisException e) {
                if (!closed) {
                    LOG.debug("cluster: subscription lost: {}", e.toString());
                    redis.unreachable(e);
                }
            } finally {
                connection = null;
            }
        }
    }

    private final class Subscription extends JedisPubSub {

        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
            try {
                catchUp();
            } catch (JedisException e) {
                // the next subscription catches up again, from where this one got to
                redis.unreachable(e);
                punsubscribe();
            }
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            String topic = keys.topicOf(channel);
            int newline = message.indexOf('\n');
            if (topic == null || newline < 0) {
                return;
            }
            try {
                accept(topic, new StreamEntryID(message.substring(0, newline)),
                        Envelope.decode(message.substring(newline + 1)), false);
            } catch (IllegalArgumentException e) {
                LOG.debug("cluster: ignored a message on {}: {}", channel, e.getMessage());
            }
        }
    }

    /** The history of topics first heard of, then every message a known topic missed, oldest first. */
    private void catchUp() {
        forgetExpired();
        try (Jedis jedis = redis.borrow()) {
            StreamEntryID from = horizon;
            if (from == null) {
                List<String> time = jedis.time();
                from = new StreamEntryID(Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000, 0);
            }
            Set<String> topics = new LinkedHashSet<>(lastIds.keySet());
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().match(keys.streamPattern()).count(PAGE));
                for (String key : page.getResult()) {
                    String topic = keys.topicOf(key);
                    if (topic != null) {
                        topics.add(topic);
                    }
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
            for (String topic : topics) {
                if (!lastIds.containsKey(topic)) {
                    loadHistory(jedis, topic, from);
                }
                fillGap(jedis, topic, lastIds.getOrDefault(topic, from));
            }
            if (horizon == null) {
                horizon = from;
            }
        }
    }

    private void loadHistory(Jedis jedis, String topic, StreamEntryID before) {
        List<StreamEntry> newestFirst = jedis.xrevrange(keys.stream(topic), before.toString(), "-", streamSize);
        List<String> remembered = new ArrayList<>();
        for (StreamEntry entry : newestFirst) {
            Envelope envelope = envelope(entry);
            if (envelope != null) {
                seen(topic, entry.getID(), envelope);
                if (envelope.remembered() && !origin.equals(envelope.origin())) {
                    remembered.add(envelope.data());
                }
            }
        }
        lastIds.putIfAbsent(topic, newestFirst.isEmpty() ? before : newestFirst.get(0).getID());
        if (!remembered.isEmpty()) {
            Collections.reverse(remembered);
            deliver(() -> listener.history(topic, remembered));
        }
    }

    private void fillGap(Jedis jedis, String topic, StreamEntryID last) {
        StreamEntryID start = new StreamEntryID(last.getTime(), last.getSequence() + 1);
        while (true) {
            List<StreamEntry> page = jedis.xrange(keys.stream(topic), start.toString(), "+", PAGE);
            for (StreamEntry entry : page) {
                Envelope envelope = envelope(entry);
                if (envelope != null) {
                    accept(topic, entry.getID(), envelope, true);
                }
            }
            if (page.size() < PAGE) {
                return;
            }
            StreamEntryID end = page.get(page.size() - 1).getID();
            start = new StreamEntryID(end.getTime(), end.getSequence() + 1);
        }
    }

    private void accept(String topic, StreamEntryID id, Envelope envelope, boolean fromStream) {
        StreamEntryID last = lastIds.get(topic);
        if (last != null && id.compareTo(last) <= 0) {
            return;
        }
        lastIds.put(topic, id);
        if (horizon == null || id.compareTo(horizon) > 0) {
            horizon = id;
        }
        if (++sinceForgetting >= FORGET_EVERY) {
            forgetExpired();
        }
        if (origin.equals(envelope.origin())) {
            return;
        }
        if (!seen(topic, id, envelope)) {
            duplicates.increment();
            return;
        }
        (fromStream ? recovered : received).increment();
        deliver(() -> listener.received(topic, envelope.event(), envelope.data(), envelope.remembered()));
    }

    /**
     * Forgets the topics whose streams expired (nothing for longer than their expiry, by Redis's
     * clock): what a node knows of its topics must not grow with every topic it ever heard of.
     */
    private void forgetExpired() {
        sinceForgetting = 0;
        if (horizon == null) {
            return;
        }
        long expired = horizon.getTime() - streamTtl.toMillis();
        lastIds.entrySet().removeIf(topic -> {
            if (topic.getValue().getTime() >= expired) {
                return false;
            }
            lastSeqs.remove(topic.getKey());
            return true;
        });
    }

    /** Records the publisher's sequence number; false when that message (or a later one) was seen already. */
    private boolean seen(String topic, StreamEntryID id, Envelope envelope) {
        Map<String, Long> seqs = lastSeqs.computeIfAbsent(topic, t -> new HashMap<>());
        Long previous = seqs.get(envelope.origin());
        if (previous != null && envelope.seq() <= previous) {
            return false;
        }
        if (previous != null && envelope.seq() > previous + 1) {
            long count = envelope.seq() - previous - 1;
            missed.add(count);
            LOG.warn("cluster: {} messages on {} from node {} never reached this node (published while it was away, "
                    + "past what the stream keeps, or dropped by that node's full queue); going on from the next",
                    count, topic, envelope.origin());
        }
        seqs.put(envelope.origin(), envelope.seq());
        return true;
    }

    private void deliver(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("cluster: a shared message's listener failed: {}", e.toString());
        }
    }

    private static Envelope envelope(StreamEntry entry) {
        String text = entry.getFields().get("m");
        try {
            return text == null ? null : Envelope.decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
