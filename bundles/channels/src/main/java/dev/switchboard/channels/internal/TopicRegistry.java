package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.transport.SharedText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of one channels server: each topic's subscribers and chat history. Subscribers are
 * indexed by topic, so a broadcast touches only the topic's subscribers. Each topic has a lock
 * held while a broadcast enqueues its frames and while a client joins, so every subscriber sees a
 * topic's frames in one order and a joining client never sees a frame both in its snapshot and
 * live. A topic nobody listens to and that remembers nothing is dropped.
 *
 * <p>A topic's history keeps its last chat messages, as many as the history size allows and no
 * more than fit in one snapshot frame of at most the endpoint's frame size: a client that accepts
 * frames that large is never disconnected by the snapshot it gets on joining.
 *
 * <p>A clustered endpoint shares what its own clients and Switchboard broadcast and post with the
 * endpoint of the same id on the other nodes, handed to the cluster while the topic's lock is held,
 * so the other nodes see a topic's messages in this node's order; what they share comes in through
 * the {@code …Shared} methods and is delivered here only.
 */
final class TopicRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(TopicRegistry.class);

    /** Queues a frame to one client; false when it was not (closing, or closed now as too slow). */
    @FunctionalInterface
    interface Sender {
        boolean send(Client client, SharedText frame);
    }

    /** A remembered chat message: its payload as JSON text and that text's size in UTF-8 bytes. */
    private record Remembered(String json, int bytes) {
    }

    /** A topic's subscribers and chat history, guarded by the topic's own lock. */
    private static final class Topic {
        private final String name;
        private final Set<Client> subscribers = new LinkedHashSet<>();
        private final ArrayDeque<Remembered> history = new ArrayDeque<>();
        /** The snapshot frame's size in bytes with the history as it is. */
        private long snapshotBytes;
        /** Set once the topic left the index; a caller holding a stale reference looks it up again. */
        private boolean retired;

        Topic(String name, long emptySnapshotBytes) {
            this.name = name;
            this.snapshotBytes = emptySnapshotBytes;
        }
    }

    private final String endpoint;
    private final ChannelsCodec codec;
    private final Sender sender;
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final LongAdder trimmedForSize = new LongAdder();
    /** The other nodes' endpoints of this id, or null while not clustered. */
    private volatile ClusterTopics shared;

    /** @param endpoint the endpoint id, for log lines */
    TopicRegistry(String endpoint, ChannelsCodec codec, Sender sender) {
        this.endpoint = endpoint;
        this.codec = codec;
        this.sender = sender;
    }

    /** Shares this endpoint's topics from now on through {@code topics}; null: with nobody. */
    void share(ClusterTopics topics) {
        shared = topics;
    }

    private Topic create(String name) {
        return new Topic(name, utf8Bytes(codec.history(name, List.of())));
    }

    /**
     * Subscribes {@code client} to {@code topicName} and runs {@code joined} (the replies and the
     * channel's snapshot) while broadcasts to the topic wait.
     */
    void join(Client client, String topicName, Runnable joined) {
        while (true) {
            Topic topic = topics.computeIfAbsent(topicName, this::create);
            synchronized (topic) {
                if (topic.retired) {
                    continue;
                }
                topic.subscribers.add(client);
                joined.run();
                return;
            }
        }
    }

    void leave(Client client, String topicName) {
        Topic topic = topics.get(topicName);
        if (topic == null) {
            return;
        }
        synchronized (topic) {
            topic.subscribers.remove(client);
            retireIfIdle(topic);
        }
    }

    // holding the topic's lock
    private void retireIfIdle(Topic topic) {
        if (topic.subscribers.isEmpty() && topic.history.isEmpty() && !topic.retired) {
            topic.retired = true;
            topics.remove(topic.name, topic);
        }
    }

    /**
     * Queues {@code frame}, {@code [topic, event, payload]}, to every subscriber of
     * {@code topicName}, encoded once for all of them, and shares it with the other nodes; returns
     * how many subscribers here it was queued to.
     */
    int broadcast(String topicName, String event, String frame) {
        return fanOut(topicName, frame, event);
    }

    /** Another node's broadcast: to the subscribers here only. */
    int broadcastShared(String topicName, String frame) {
        return fanOut(topicName, frame, null);
    }

    /** @param sharedEvent the event, when the frame is to be shared; null when it came from another node */
    private int fanOut(String topicName, String frame, String sharedEvent) {
        Topic topic = topics.get(topicName);
        ClusterTopics cluster = sharedEvent == null ? null : shared;
        if (topic == null) {
            if (cluster != null) {
                cluster.publish(topicName, sharedEvent, frame, false);
            }
            return 0;
        }
        SharedText text = SharedText.of(frame);
        synchronized (topic) {
            if (cluster != null) {
                cluster.publish(topicName, sharedEvent, frame, false);
            }
            return fanOut(topic, text);
        }
    }

    /**
     * A chat message: remembered in the topic's history (bounded by {@code historySize} messages and
     * a snapshot of {@code snapshotLimit} bytes), broadcast as {@code message} and shared with the
     * other nodes.
     */
    int post(String topicName, JsonNode payload, int historySize, int snapshotLimit) {
        return post(topicName, codec.json(payload), historySize, snapshotLimit, shared);
    }

    /** Another node's chat message, {@code json} its payload: remembered and broadcast here only. */
    int postShared(String topicName, String json, int historySize, int snapshotLimit) {
        return post(topicName, json, historySize, snapshotLimit, null);
    }

    private int post(String topicName, String json, int historySize, int snapshotLimit, ClusterTopics cluster) {
        SharedText frame = SharedText.of(codec.encodeJson(topicName, ChannelsCodec.MESSAGE, json));
        while (true) {
            Topic topic = historySize > 0 ? topics.computeIfAbsent(topicName, this::create) : topics.get(topicName);
            if (topic == null) {
                if (cluster != null) {
                    cluster.publish(topicName, ChannelsCodec.MESSAGE, json, true);
                }
                return 0;
            }
            synchronized (topic) {
                if (topic.retired) {
                    continue;
                }
                if (cluster != null) {
                    cluster.publish(topicName, ChannelsCodec.MESSAGE, json, true);
                }
                if (historySize > 0) {
                    remember(topic, json, historySize, snapshotLimit);
                }
                int sent = fanOut(topic, frame);
                retireIfIdle(topic);
                return sent;
            }
        }
    }

    /**
     * A topic's chat history as the cluster keeps it, oldest first, for a topic this node had not
     * heard of (or heard of before it joined the cluster again): what it remembers itself and the
     * cluster does not (posted while the cluster was away) stays after it, each message once.
     */
    void rememberShared(String topicName, List<String> history, int historySize, int snapshotLimit) {
        if (historySize == 0 || history.isEmpty()) {
            return;
        }
        while (true) {
            Topic topic = topics.computeIfAbsent(topicName, this::create);
            synchronized (topic) {
                if (topic.retired) {
                    continue;
                }
                Map<String, Integer> inCluster = new HashMap<>();
                history.forEach(json -> inCluster.merge(json, 1, Integer::sum));
                List<Remembered> own = new ArrayList<>(topic.history);
                topic.history.clear();
                topic.snapshotBytes = utf8Bytes(codec.history(topicName, List.of()));
                history.forEach(json -> remember(topic, json, historySize, snapshotLimit));
                for (Remembered message : own) {
                    if (inCluster.merge(message.json(), -1, Integer::sum) < 0) {
                        remember(topic, message.json(), historySize, snapshotLimit);
                    }
                }
                retireIfIdle(topic);
                return;
            }
        }
    }

    // holding the topic's lock
    private void remember(Topic topic, String json, int historySize, int snapshotLimit) {
        Remembered message = new Remembered(json, utf8Bytes(json));
        topic.snapshotBytes += message.bytes() + (topic.history.isEmpty() ? 0 : 1);
        topic.history.addLast(message);
        int dropped = 0;
        while (topic.history.size() > historySize || topic.snapshotBytes > snapshotLimit && !topic.history.isEmpty()) {
            Remembered oldest = topic.history.removeFirst();
            topic.snapshotBytes -= oldest.bytes() + (topic.history.isEmpty() ? 0 : 1);
            if (topic.history.size() >= historySize) {
                continue;
            }
            dropped++;
        }
        if (dropped > 0) {
            trimmedForSize.add(dropped);
            LOG.debug("{}: {} oldest messages of {} dropped from its history: the snapshot would exceed {} bytes",
                    endpoint, dropped, topic.name, snapshotLimit);
        }
    }

    private int fanOut(Topic topic, SharedText frame) {
        int sent = 0;
        for (Client client : topic.subscribers) {
            if (sender.send(client, frame)) {
                sent++;
            }
        }
        return sent;
    }

    /** The {@code history} snapshot frame of a chat topic: call while joining, holding its lock. */
    String historyFrame(String topicName) {
        Topic topic = topics.get(topicName);
        List<String> messages = List.of();
        if (topic != null) {
            synchronized (topic) {
                messages = new ArrayList<>(topic.history.size());
                for (Remembered message : topic.history) {
                    messages.add(message.json());
                }
            }
        }
        return codec.history(topicName, messages);
    }

    int subscriberCount(String topicName) {
        Topic topic = topics.get(topicName);
        if (topic == null) {
            return 0;
        }
        synchronized (topic) {
            return topic.subscribers.size();
        }
    }

    int size() {
        return topics.size();
    }

    /** Subscribers of the {@code limit} busiest topics, most first; topics without subscribers left out. */
    Map<String, Integer> busiest(int limit) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        topics.keySet().stream()
                .map(name -> Map.entry(name, subscriberCount(name)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    /** History messages dropped so that a snapshot fits in one frame. */
    long trimmedForSize() {
        return trimmedForSize.sum();
    }

    /** Forgets every topic (the server stopped). */
    void clear() {
        topics.clear();
    }

    private static int utf8Bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
