package dev.switchboard.cluster.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sends one namespace's messages and presence to Redis on a thread of its own, so a publisher
 * never waits: each message is appended to its topic's stream and published by one script, in a
 * pipeline of whatever queued meanwhile. While Redis is away the batch in hand waits and the queue
 * keeps the rest, in order, up to its limit; they go out once it is back. A batch whose reply was
 * lost may go out twice: receivers drop the second copy by its sequence number.
 */
final class TopicPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(TopicPublisher.class);

    /** Messages waiting for Redis before new ones are dropped. */
    static final int QUEUE_LIMIT = 100_000;
    private static final int BATCH = 512;
    /** How often presence changes are sent, and how often all of it is refreshed. */
    private static final Duration PRESENCE_TICK = Duration.ofSeconds(1);
    private static final Duration PRESENCE_REFRESH = Duration.ofSeconds(5);
    /** A node that stops refreshing drops out of the counts after this long. */
    static final Duration PRESENCE_TTL = Duration.ofSeconds(15);

    /** Appends to the stream (capped, with an expiry) and publishes, atomically: history and broadcast never disagree. */
    static final String PUBLISH = """
            local id = redis.call('xadd', KEYS[1], 'MAXLEN', ARGV[2], '*', 'm', ARGV[1])
            redis.call('expire', KEYS[1], ARGV[3])
            redis.call('publish', ARGV[4], id .. '\\n' .. ARGV[1])
            return id""";

    /**
     * Sets this node's subscriber count of a topic (member of a set scored by expiry, count in a
     * hash), drops nodes whose entry expired, and returns the sum over every node.
     */
    static final String PRESENCE = """
            if ARGV[5] == '0' then
              redis.call('zrem', KEYS[1], ARGV[4])
              redis.call('hdel', KEYS[2], ARGV[4])
            else
              redis.call('zadd', KEYS[1], ARGV[2], ARGV[4])
              redis.call('hset', KEYS[2], ARGV[4], ARGV[5])
              redis.call('expire', KEYS[1], ARGV[3])
              redis.call('expire', KEYS[2], ARGV[3])
            end
            local expired = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1])
            for _, node in ipairs(expired) do redis.call('hdel', KEYS[2], node) end
            redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
            local total = 0
            for _, count in ipairs(redis.call('hvals', KEYS[2])) do total = total + tonumber(count) end
            return total""";

    private record Outgoing(String topic, String envelope) {
    }

    private final RedisConnection redis;
    private final TopicKeys keys;
    private final String nodeId;
    private final String maxLength;
    private final String ttlSeconds;
    private final LinkedBlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>(QUEUE_LIMIT);
    private final Map<String, Integer> localCounts = new ConcurrentHashMap<>();
    private final Map<String, Integer> clusterCounts = new ConcurrentHashMap<>();
    private final Map<String, Boolean> presenceChanged = new ConcurrentHashMap<>();
    private final LongAdder published = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    private volatile boolean closed;
    /** New messages are being dropped (the queue was full): logged once when it starts and once when it ends. */
    private volatile boolean dropping;

    TopicPublisher(RedisConnection redis, TopicKeys keys, String nodeId, int streamSize, Duration streamTtl,
                   String namespace) {
        this.redis = redis;
        this.keys = keys;
        this.nodeId = nodeId;
        this.maxLength = String.valueOf(streamSize);
        this.ttlSeconds = String.valueOf(streamTtl.toSeconds());
        this.thread = new Thread(this::run, "switchboard-cluster-publish-" + namespace);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues a message; false when the queue is full (counted, and logged when dropping starts and ends). */
    boolean publish(String topic, Envelope envelope) {
        if (queue.offer(new Outgoing(topic, envelope.encode()))) {
            if (dropping && queueHasRoom()) {
                LOG.info("cluster: the queue for Redis has room again ({} messages dropped so far)", dropped.sum());
            }
            return true;
        }
        dropped.increment();
        if (!dropping && startDropping()) {
            LOG.warn("cluster: {} messages wait for Redis already: dropping new ones, counted in 'dropped', until it "
                    + "takes them", QUEUE_LIMIT);
        }
        return false;
    }

    private synchronized boolean startDropping() {
        boolean was = dropping;
        dropping = true;
        return !was;
    }

    private synchronized boolean queueHasRoom() {
        boolean was = dropping;
        dropping = false;
        return was;
    }

    void localSubscribers(String topic, int count) {
        Integer before = count > 0 ? localCounts.put(topic, count) : localCounts.remove(topic);
        if (before == null ? count > 0 : before != count) {
            presenceChanged.put(topic, Boolean.TRUE);
        }
    }

    /**
     * Every node's subscribers of {@code topic} as last summed, for a topic this node has subscribers
     * of; this node's own count while none was summed yet (or for another topic: 0).
     */
    int subscribers(String topic) {
        Integer cluster = clusterCounts.get(topic);
        return cluster != null ? cluster : localCounts.getOrDefault(topic, 0);
    }

    long published() {
        return published.sum();
    }

    long dropped() {
        return dropped.sum();
    }

    int queued() {
        return queue.size();
    }

    void close() {
        closed = true;
        thread.interrupt();
    }

    private void run() {
        List<Outgoing> batch = new ArrayList<>(BATCH);
        long nextRefresh = 0;
        long nextTick = 0;
        try {
            while (!closed) {
                if (batch.isEmpty()) {
                    Outgoing first = queue.poll(PRESENCE_TICK.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (first != null) {
                        batch.add(first);
                        queue.drainTo(batch, BATCH - 1);
                    }
                }
                if (!redis.online()) {
                    redis.awaitOnline(PRESENCE_TICK);
                    continue;
                }
                if (!batch.isEmpty() && send(batch)) {
                    batch.clear();
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0 && redis.online()) {
                    boolean all = now - nextRefresh >= 0;
                    if (refreshPresence(all) && all) {
                        nextRefresh = now + PRESENCE_REFRESH.toNanos();
                    }
                    nextTick = now + PRESENCE_TICK.toNanos();
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** True when the batch reached Redis; false when Redis is unreachable (the batch is kept). */
    private boolean send(List<Outgoing> batch) {
        try (Jedis jedis = redis.borrow()) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<Object>> replies = new ArrayList<>(batch.size());
            for (Outgoing message : batch) {
                replies.add(pipeline.eval(PUBLISH, List.of(keys.stream(message.topic())),
                        List.of(message.envelope(), maxLength, ttlSeconds, keys.channel(message.topic()))));
            }
            pipeline.sync();
            for (Response<Object> reply : replies) {
                try {
                    reply.get();
                    published.increment();
                } catch (JedisDataException e) {
                    dropped.increment();
                    LOG.warn("cluster: Redis refused a message: {}", e.getMessage());
                }
            }
            return true;
        } catch (JedisException e) {
            redis.unreachable(e);
            return false;
        }
    }

    /** Sends the changed counts (or all of them) and reads back every node's; false when Redis is unreachable. */
    private boolean refreshPresence(boolean all) {
        List<String> topics = new ArrayList<>(all ? localCounts.keySet() : List.of());
        for (String topic : presenceChanged.keySet()) {
            presenceChanged.remove(topic);
            if (!topics.contains(topic)) {
                topics.add(topic);
            }
        }
        if (topics.isEmpty()) {
            return true;
        }
        long nowMs = System.currentTimeMillis();
        String expiry = String.valueOf(nowMs + PRESENCE_TTL.toMillis());
        String ttl = String.valueOf(PRESENCE_TTL.toSeconds());
        try (Jedis jedis = redis.borrow()) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<Object>> totals = new ArrayList<>(topics.size());
            for (String topic : topics) {
                totals.add(pipeline.eval(PRESENCE, List.of(keys.nodes(topic), keys.counts(topic)), List.of(
                        String.valueOf(nowMs), expiry, ttl, nodeId, String.valueOf(localCounts.getOrDefault(topic, 0)))));
            }
            pipeline.sync();
            for (int i = 0; i < topics.size(); i++) {
                int total = ((Number) totals.get(i).get()).intValue();
                // counted for the topics this node has subscribers of: no other count is refreshed
                if (localCounts.containsKey(topics.get(i))) {
                    clusterCounts.put(topics.get(i), total);
                } else {
                    clusterCounts.remove(topics.get(i));
                }
            }
            return true;
        } catch (JedisException e) {
            topics.forEach(topic -> presenceChanged.put(topic, Boolean.TRUE));
            redis.unreachable(e);
            return false;
        }
    }
}
