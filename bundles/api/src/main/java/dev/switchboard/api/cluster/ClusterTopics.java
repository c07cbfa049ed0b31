package dev.switchboard.api.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One endpoint's topics shared by every node: what a node publishes reaches the endpoint of the same
 * namespace on every other node, once and in order per publishing node; each topic keeps its last
 * messages in the cluster, which also fill the gap a node missed while the cluster was away. No
 * method blocks on the network.
 */
public interface ClusterTopics extends AutoCloseable {

    /**
     * Queues {@code data} for every other node, with {@code event}. A {@code remembered} message is
     * part of the topic's history (a chat message), another only of its recovery window. Messages
     * queued while the cluster is unreachable go out, in order, once it is back.
     *
     * @return false when the queue is full and the message was dropped (counted)
     */
    boolean publish(String topic, String event, String data, boolean remembered);

    /** This node's subscribers of {@code topic} now; 0 once the last left. Shared a little later. */
    void localSubscribers(String topic, int count);

    /** Subscribers of {@code topic} on every node, as last refreshed; this node's alone while the cluster is away. */
    int subscribers(String topic);

    /** Figures for consoles: queued, published, received, recovered, dropped. */
    java.util.Map<String, Object> figures();

    /** Leaves: stops hearing and publishing (what is still queued is dropped). Idempotent. */
    @Override
    void close();

    /** What another node's message does here: called on the cluster's subscriber thread, one at a time. */
    interface Listener {

        /** Another node published {@code data} on {@code topic}: deliver it to this node's subscribers. */
        void received(String topic, String event, String data, boolean remembered);

        /**
         * The remembered messages the cluster keeps for a topic this node had not heard of (oldest
         * first): what a client joining here gets, as on every other node.
         */
        void history(String topic, List<String> remembered);
    }

    /**
     * @param streamSize messages each topic keeps in the cluster: the history and the window a node
     *                   recovers after an outage
     * @param streamTtl  how long a topic's messages stay after its last publish
     */
    record Settings(int streamSize, Duration streamTtl) {
        public Settings {
            Objects.requireNonNull(streamTtl, "streamTtl");
            if (streamSize < 1 || streamTtl.toSeconds() < 1) {
                throw new IllegalArgumentException("need streamSize >= 1 and streamTtl >= 1 s");
            }
        }
    }
}
