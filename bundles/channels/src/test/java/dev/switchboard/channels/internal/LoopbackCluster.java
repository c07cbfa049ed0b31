package dev.switchboard.channels.internal;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Subscription;
import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The cluster contract in one JVM, for the endpoint's side of it: every member's publishes go to
 * the other members of its namespace on one thread of the "cluster", in order; a member that joins
 * gets each topic's remembered messages. Redis itself is tested in the cluster bundle.
 */
final class LoopbackCluster implements Cluster, AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> remembered = new ConcurrentHashMap<>();
    private final List<Consumer<EndpointStatus>> watchers = new CopyOnWriteArrayList<>();
    private volatile EndpointStatus status = EndpointStatus.online("connected");

    private final class Member implements ClusterTopics {
        final String namespace;
        final Listener listener;
        final Map<String, Integer> local = new ConcurrentHashMap<>();

        Member(String namespace, Listener listener) {
            this.namespace = namespace;
            this.listener = listener;
        }

        @Override
        public boolean publish(String topic, String event, String data, boolean remember) {
            thread.execute(() -> {
                if (remember) {
                    remembered.computeIfAbsent(namespace + "/" + topic, t -> new ArrayList<>()).add(data);
                }
                for (Member other : members) {
                    if (other != this && other.namespace.equals(namespace)) {
                        other.listener.received(topic, event, data, remember);
                    }
                }
            });
            return true;
        }

        @Override
        public void localSubscribers(String topic, int count) {
            local.put(topic, count);
        }

        @Override
        public int subscribers(String topic) {
            return members.stream().filter(m -> m.namespace.equals(namespace))
                    .mapToInt(m -> m.local.getOrDefault(topic, 0)).sum();
        }

        @Override
        public Map<String, Object> figures() {
            return Map.of();
        }

        @Override
        public void close() {
            members.remove(this);
        }
    }

    /** Returns once everything the cluster was asked to deliver so far was delivered. */
    void settle() throws Exception {
        thread.submit(() -> { }).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    void status(EndpointStatus next) {
        status = next;
        watchers.forEach(watcher -> watcher.accept(next));
    }

    @Override
    public String nodeId() {
        return "loopback";
    }

    @Override
    public EndpointStatus status() {
        return status;
    }

    @Override
    public Subscription watchStatus(Consumer<EndpointStatus> listener) {
        watchers.add(listener);
        return () -> watchers.remove(listener);
    }

    @Override
    public ClusterTopics topics(String namespace, ClusterTopics.Settings settings, ClusterTopics.Listener listener) {
        Member member = new Member(namespace, listener);
        members.add(member);
        thread.execute(() -> remembered.forEach((key, messages) -> {
            if (key.startsWith(namespace + "/")) {
                listener.history(key.substring(namespace.length() + 1), List.copyOf(messages));
            }
        }));
        return member;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
