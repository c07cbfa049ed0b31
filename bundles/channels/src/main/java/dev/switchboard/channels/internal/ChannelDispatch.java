package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.channels.ChannelHandler;
import dev.switchboard.transport.SharedText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client's frame or a message from Switchboard does on a channels server: finds the channel
 * serving its topic ({@link ChannelRoutes}), subscribes and unsubscribes clients
 * ({@link TopicRegistry}), calls the channel, tells the server's listener of each event a channel
 * handled, and delivers Switchboard's messages as chat or as broadcasts.
 */
final class ChannelDispatch {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelDispatch.class);

    /** How many topics the figures list by subscriber count; the rest are only counted. */
    private static final int TOPICS_IN_FIGURES = 100;

    private final String endpoint;
    private final ChannelsCodec codec;
    private final TopicRegistry.Sender sender;
    private final ChannelsServer.EventListener events;
    private final ChannelRoutes routes;
    private final TopicRegistry topics;
    private final LongAdder handlerFailures = new LongAdder();
    private final LongAdder unhandled = new LongAdder();
    private volatile int historySize;
    private final int snapshotLimit;
    /** The other nodes' endpoints of this id, or null while not clustered. */
    private volatile ClusterTopics shared;

    ChannelDispatch(ChannelsSettings settings, ChannelsCodec codec, TopicRegistry.Sender sender,
                    ChannelsServer.EventListener events) {
        this.endpoint = settings.id();
        this.codec = codec;
        this.sender = sender;
        this.events = events;
        this.routes = new ChannelRoutes(endpoint, codec, settings.chatPatterns());
        this.topics = new TopicRegistry(endpoint, codec, sender);
        this.historySize = settings.historySize();
        this.snapshotLimit = settings.maxFrameBytes();
    }

    /** Takes what a running server may change: history size and chat patterns. */
    void reconfigure(ChannelsSettings next) {
        historySize = next.historySize();
        routes.chatPatterns(next.chatPatterns());
    }

    void addHandler(ChannelHandler handler, int ranking, long order) {
        routes.add(handler, ranking, order);
    }

    void removeHandler(ChannelHandler handler) {
        routes.remove(handler);
    }

    ChannelsCodec codec() {
        return codec;
    }

    /** Shares the topics with the other nodes through {@code topics} from now on; null: with nobody. */
    void share(ClusterTopics topics) {
        shared = topics;
        this.topics.share(topics);
    }

    /** What the other nodes share, delivered here. Called on the cluster's thread; never blocks. */
    ClusterTopics.Listener sharedListener() {
        return new ClusterTopics.Listener() {
            @Override
            public void received(String topic, String event, String data, boolean remembered) {
                if (remembered) {
                    topics.postShared(topic, data, historySize, snapshotLimit);
                } else {
                    topics.broadcastShared(topic, data);
                }
            }

            @Override
            public void history(String topic, List<String> remembered) {
                topics.rememberShared(topic, remembered, historySize, snapshotLimit);
            }
        };
    }

    /** Tells the cluster how many subscribers the topic has here now. */
    private void counted(String topic) {
        ClusterTopics cluster = shared;
        if (cluster != null) {
            cluster.localSubscribers(topic, topics.subscriberCount(topic));
        }
    }

    /** Queues a frame to one client, as the server does (a slow client is closed). */
    boolean sendTo(Client client, String frame) {
        return sender.send(client, SharedText.of(frame));
    }

    // --- a client's frames ----------------------------------------------------------------------

    /** Replies {@code subscribed}, then the channel's snapshot, while broadcasts to the topic wait. */
    void subscribe(Client client, String topic, JsonNode payload) {
        ChannelRoutes.Match match = routes.match(topic);
        if (match == null) {
            sendTo(client, codec.noChannel(topic));
            return;
        }
        String subscribed = codec.subscribed(topic, ChannelsCodec.subscribeId(payload));
        ChannelCall call = new ChannelCall(this, client, topic, match.params());
        topics.join(client, topic, () -> {
            client.subscribed(topic);
            sendTo(client, subscribed);
            try {
                match.channel().onJoin(call);
            } catch (RuntimeException e) {
                handlerFailed(client, topic, ChannelsCodec.SUBSCRIBE, match.channel(), e);
            }
        });
        counted(topic);
        LOG.debug("{}: {} subscribed to {}", endpoint, client.id(), topic);
    }

    /** Always replies {@code unsubscribed}, subscribed or not, as the protocol does. */
    void unsubscribe(Client client, String topic) {
        if (client.unsubscribed(topic)) {
            topics.leave(client, topic);
            counted(topic);
        }
        sendTo(client, codec.unsubscribed(topic));
        LOG.debug("{}: {} unsubscribed from {}", endpoint, client.id(), topic);
    }

    /** Any other event: the channel's; one it handled is told to the server's listener. */
    void event(Client client, ChannelsCodec.Frame frame) {
        ChannelRoutes.Match match = routes.match(frame.topic());
        if (match == null) {
            sendTo(client, codec.noChannel(frame.topic()));
            return;
        }
        boolean handled;
        try {
            handled = match.channel().onEvent(new ChannelCall(this, client, frame.topic(), match.params()),
                    frame.event(), frame.payload());
        } catch (RuntimeException e) {
            handlerFailed(client, frame.topic(), frame.event(), match.channel(), e);
            return;
        }
        if (!handled) {
            unhandled.increment();
            LOG.debug("{}: unhandled event {} on {} from {}", endpoint, frame.event(), frame.topic(), client.id());
            return;
        }
        events.onEvent(client.id(), frame.topic(), frame.event(), frame.payload());
    }

    private void handlerFailed(Client client, String topic, String event, Channel channel, RuntimeException e) {
        handlerFailures.increment();
        LOG.warn("{}: channel handler {} failed on {} {} from {}: {}", endpoint, channel, topic, event, client.id(),
                e.toString());
        sendTo(client, codec.handlerFailed(topic, event));
    }

    /** The client is gone: it leaves every topic it was subscribed to. */
    void left(Client client) {
        for (String topic : client.leave()) {
            topics.leave(client, topic);
            counted(topic);
        }
    }

    // --- topics -----------------------------------------------------------------------------------

    /** Sends {@code [topic, event, payload]} to every subscriber; {@code payload} is a tree or plain values. */
    int broadcast(String topic, String event, Object payload) {
        return topics.broadcast(topic, event, codec.encode(topic, event, payload));
    }

    /** A chat message: remembered in the topic's history, then broadcast as {@code message}. */
    int post(String topic, JsonNode payload) {
        return topics.post(topic, payload, historySize, snapshotLimit);
    }

    /** The {@code history} snapshot frame of a chat topic: call while the client joins. */
    String historyFrame(String topic) {
        return topics.historyFrame(topic);
    }

    /**
     * A message from Switchboard: a chat {@code message} on a chat topic goes through the chat
     * channel (history included), anything else is a plain broadcast.
     *
     * @return the number of subscribers reached, or -1 when no channel serves the topic
     */
    int deliver(String topic, String event, Object payload) {
        ChannelRoutes.Match match = routes.match(topic);
        if (match == null) {
            return -1;
        }
        if (match.channel() instanceof ChatChannel && ChannelsCodec.MESSAGE.equals(event)) {
            return post(topic, codec.toTree(payload));
        }
        return broadcast(topic, event, payload);
    }

    int subscriberCount(String topic) {
        return topics.subscriberCount(topic);
    }

    /** Subscribers on every node, as the cluster last counted them; this node's while not clustered. */
    int clusterSubscriberCount(String topic) {
        ClusterTopics cluster = shared;
        return cluster == null ? topics.subscriberCount(topic) : cluster.subscribers(topic);
    }

    /** Channel handlers that threw. */
    long handlerFailures() {
        return handlerFailures.sum();
    }

    /** Topics, subscribers of the busiest, events no channel handled, history trimmed to fit a snapshot, patterns. */
    void addFigures(Map<String, Object> details) {
        details.put("topics", topics.size());
        Map<String, Integer> busiest = topics.busiest(TOPICS_IN_FIGURES);
        details.put("subscribers", busiest);
        ClusterTopics cluster = shared;
        if (cluster != null) {
            Map<String, Integer> everywhere = new LinkedHashMap<>();
            busiest.keySet().forEach(topic -> everywhere.put(topic, cluster.subscribers(topic)));
            details.put("clusterSubscribers", everywhere);
            details.put("cluster", cluster.figures());
        }
        details.put("unhandledEvents", unhandled.sum());
        details.put("historyTrimmedForSnapshotSize", topics.trimmedForSize());
        details.put("channels", routes.patterns());
    }

    /** Forgets every topic: the server stopped. */
    void clear() {
        topics.clear();
    }
}
