package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.channels.ChannelHandler;
import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed 002's topic-channel server on a transport {@link WebSocketServer}: {@code [topic, event,
 * payload]} frames, channels by pattern, subscribe/unsubscribe, snapshot on join, broadcast,
 * connection limit, the seed's error replies; beyond the seed, a frame size limit (1009), a bounded
 * send queue per client (1013) and keepalive pings.
 *
 * <p>Subscribers are indexed by topic, so a broadcast touches only the topic's subscribers. Each
 * topic has a lock held while a broadcast enqueues its frames and while a client joins, so every
 * subscriber sees a topic's frames in one order and a joining client never sees a frame both in
 * its snapshot and live. Enqueueing never blocks: the transport writes asynchronously.
 */
public final class ChannelsServer implements WebSocketHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelsServer.class);

    /** The key of a connection's {@link Client} in its attributes. */
    private static final String CLIENT = "dev.switchboard.channels.client";

    /**
     * Headroom between this server's own send queue limit, checked before each frame, and the
     * transport's, so that the server closes a slow client first and logs why.
     */
    private static final int TRANSPORT_QUEUE_HEADROOM = 64;

    /** How many topics the metrics list by subscriber count; the rest are only counted. */
    private static final int TOPICS_IN_METRICS = 100;

    /** Everything a server is configured with. */
    public record Settings(String id, String host, int port, String path, int maxConnections, int maxFrameBytes,
                           int historySize, List<String> chatPatterns, int sendQueueLimit, Duration pingInterval,
                           boolean compression) implements EndpointSettings {

        public Settings {
            Objects.requireNonNull(id, "id");
            path = path == null || path.isBlank() ? "/" : path.startsWith("/") ? path : "/" + path;
            chatPatterns = List.copyOf(chatPatterns);
            pingInterval = pingInterval == null ? Duration.ZERO : pingInterval;
            if (maxConnections < 0 || maxFrameBytes < 1 || historySize < 0 || sendQueueLimit < 1) {
                throw new IllegalArgumentException("need maxConnections >= 0, maxFrameBytes >= 1, historySize >= 0"
                        + " and sendQueueLimit >= 1");
            }
        }

        /** Settings for {@code id} with the seed's defaults, listening on an ephemeral loopback port. */
        public static Settings defaults(String id) {
            return new Settings(id, ServerSpec.LOOPBACK, 0, "/", 100, 1 << 20, 50, List.of("chat:<room>"), 1024,
                    Duration.ofSeconds(30), false);
        }

        public Settings withPort(int newPort) {
            return new Settings(id, host, newPort, path, maxConnections, maxFrameBytes, historySize, chatPatterns,
                    sendQueueLimit, pingInterval, compression);
        }

        public Settings withMaxConnections(int max) {
            return new Settings(id, host, port, path, max, maxFrameBytes, historySize, chatPatterns, sendQueueLimit,
                    pingInterval, compression);
        }

        public Settings withMaxFrameBytes(int bytes) {
            return new Settings(id, host, port, path, maxConnections, bytes, historySize, chatPatterns, sendQueueLimit,
                    pingInterval, compression);
        }

        public Settings withHistorySize(int size) {
            return new Settings(id, host, port, path, maxConnections, maxFrameBytes, size, chatPatterns,
                    sendQueueLimit, pingInterval, compression);
        }

        public Settings withSendQueueLimit(int limit) {
            return new Settings(id, host, port, path, maxConnections, maxFrameBytes, historySize, chatPatterns, limit,
                    pingInterval, compression);
        }

        /** True when {@code other} differs from these only in what a running server can change. */
        boolean sameListener(Settings other) {
            return host.equals(other.host) && port == other.port && path.equals(other.path)
                    && maxFrameBytes == other.maxFrameBytes && sendQueueLimit == other.sendQueueLimit
                    && pingInterval.equals(other.pingInterval) && compression == other.compression;
        }
    }

    /** Told about each client event a channel handled, on that client's thread; must return quickly. */
    @FunctionalInterface
    public interface EventListener {
        void onEvent(String connectionId, String topic, String event, JsonNode payload);
    }

    /**
     * One accepted client. Its topic set is touched only by its own connection's calls and made on
     * the first subscribe: an idle connection costs as little as possible.
     */
    static final class Client {
        private final WebSocketConnection connection;
        private final String id;
        private Set<String> topics;
        private volatile boolean closing;

        Client(WebSocketConnection connection, String id) {
            this.connection = connection;
            this.id = id;
        }

        String id() {
            return id;
        }
    }

    /** A topic's subscribers and chat history, guarded by the topic's own lock. */
    private static final class Topic {
        private final String name;
        private final Set<Client> subscribers = new LinkedHashSet<>();
        private final ArrayDeque<JsonNode> history = new ArrayDeque<>();
        /** Set once the topic left the index; a caller holding a stale reference looks it up again. */
        private boolean retired;

        Topic(String name) {
            this.name = name;
        }
    }

    private record Route(TopicPattern pattern, Channel channel, int ranking, long order) {
    }

    private record Match(Route route, Map<String, String> params) {
    }

    private final WebSocketTransport transport;
    private final ChannelsCodec codec;
    private final EventListener events;
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong connectionCounter = new AtomicLong();
    private final LongAdder errors = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder unhandled = new LongAdder();
    private final List<Route> handlerRoutes = new ArrayList<>();
    private volatile List<Route> chatRoutes;
    private volatile List<Route> routes = List.of();
    private volatile Settings settings;
    private volatile WebSocketServer server;

    public ChannelsServer(WebSocketTransport transport, Settings settings, EventListener events) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.settings = settings;
        this.events = events == null ? (c, t, e, p) -> { } : events;
        this.codec = new ChannelsCodec(settings.maxFrameBytes());
        this.chatRoutes = chatRoutes(settings.chatPatterns());
        rebuildRoutes();
    }

    /**
     * Binds and starts accepting. On failure nothing stays bound.
     *
     * @throws IOException when the address cannot be bound (in use, unknown host)
     */
    public synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        Settings s = settings;
        ServerSpec spec = ServerSpec.builder(s.id()).host(s.host()).port(s.port()).maxMessageSize(s.maxFrameBytes())
                .pingInterval(s.pingInterval()).compression(s.compression())
                .sendQueueLimit(s.sendQueueLimit() + TRANSPORT_QUEUE_HEADROOM).build();
        WebSocketServer bound = transport.listen(spec);
        try {
            bound.addWebSocket(s.path(), this);
        } catch (RuntimeException e) {
            bound.close();
            throw e;
        }
        server = bound;
        LOG.info("{}: channels server listening on {}", s.id(), url());
    }

    /** Closes every client with 1000 "Server shutting down", as the seed does, and releases the port. Idempotent. */
    public void stop() {
        stop(1000, "Server shutting down");
    }

    /**
     * Closes every client with {@code code} and releases the port: 1001 (going away) for a restart,
     * so clients reconnect, 1000 when the endpoint is removed. Idempotent.
     */
    public void stop(int code, String reason) {
        WebSocketServer bound;
        synchronized (this) {
            bound = server;
            server = null;
        }
        if (bound == null) {
            return;
        }
        clients.forEach(client -> client.closing = true);
        int count = bound.connections().size();
        // every connection, also one whose handshake completes meanwhile
        bound.close(code, reason);
        clients.clear();
        accepted.set(0);
        topics.clear();
        LOG.info("{}: channels server stopped, {} clients closed", settings.id(), count);
    }

    public boolean isListening() {
        return server != null;
    }

    /** {@code ws://host:port/path} while listening, else an empty string. */
    public String url() {
        WebSocketServer bound = server;
        return bound == null ? "" : "ws://" + settings.host() + ":" + bound.port() + settings.path();
    }

    /** The bound port while listening, else -1. */
    public int port() {
        WebSocketServer bound = server;
        return bound == null ? -1 : bound.port();
    }

    /**
     * Applies settings that a running server can take (connection limit, history size, chat
     * patterns, id); returns false, changing nothing, when the listener itself must be rebuilt.
     */
    public synchronized boolean reconfigure(Settings next) {
        if (!settings.sameListener(next)) {
            return false;
        }
        settings = next;
        chatRoutes = chatRoutes(next.chatPatterns());
        rebuildRoutes();
        return true;
    }

    /** Serves a handler's pattern from now on; a handler with a malformed pattern is refused with a log line. */
    public synchronized void addHandler(ChannelHandler handler, int ranking, long order) {
        TopicPattern pattern;
        try {
            pattern = new TopicPattern(handler.pattern());
        } catch (RuntimeException e) {
            LOG.warn("{}: ignoring channel handler {}: bad pattern: {}", settings.id(), handler.getClass().getName(),
                    e.toString());
            return;
        }
        handlerRoutes.add(new Route(pattern, new HandlerChannel(handler, codec), ranking, order));
        handlerRoutes.sort(Comparator.comparingInt(Route::ranking).reversed().thenComparingLong(Route::order));
        rebuildRoutes();
        LOG.info("{}: channel handler {} serves {}", settings.id(), handler.getClass().getName(), pattern);
    }

    public synchronized void removeHandler(ChannelHandler handler) {
        if (handlerRoutes.removeIf(r -> r.channel() instanceof HandlerChannel h && h.handler() == handler)) {
            rebuildRoutes();
            LOG.info("{}: channel handler {} removed", settings.id(), handler.getClass().getName());
        }
    }

    private List<Route> chatRoutes(List<String> patterns) {
        List<Route> chat = new ArrayList<>();
        ChatChannel channel = new ChatChannel();
        for (String text : patterns) {
            try {
                chat.add(new Route(new TopicPattern(text), channel, Integer.MAX_VALUE, 0));
            } catch (RuntimeException e) {
                LOG.warn("{}: ignoring chat pattern \"{}\": {}", settings.id(), text, e.getMessage());
            }
        }
        return chat;
    }

    private void rebuildRoutes() {
        List<Route> all = new ArrayList<>(chatRoutes);
        all.addAll(handlerRoutes);
        routes = List.copyOf(all);
    }

    private Match match(String topic) {
        for (Route route : routes) {
            Map<String, String> params = route.pattern().match(topic);
            if (params != null) {
                return new Match(route, params);
            }
        }
        return null;
    }

    // --- WebSocketHandler ---------------------------------------------------------------------

    @Override
    public void onOpen(WebSocketConnection connection) {
        int max = settings.maxConnections();
        if (accepted.incrementAndGet() > max) {
            accepted.decrementAndGet();
            rejected.increment();
            LOG.warn("{}: connection from {} rejected: max connections ({}) reached", settings.id(),
                    connection.remoteAddress(), max);
            connection.close(1008, "Server at maximum capacity");
            return;
        }
        Client client = new Client(connection, "conn_" + connectionCounter.incrementAndGet());
        connection.attributes().put(CLIENT, client);
        clients.add(client);
        LOG.debug("{}: client {} connected from {}", settings.id(), client.id, connection.remoteAddress());
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        Object attribute = connection.attributes().remove(CLIENT);
        if (!(attribute instanceof Client client) || !clients.remove(client)) {
            return;
        }
        accepted.decrementAndGet();
        if (client.topics != null) {
            for (String topic : client.topics) {
                leave(client, topic);
            }
            client.topics = null;
        }
        LOG.debug("{}: client {} disconnected (code {})", settings.id(), client.id, code);
    }

    @Override
    public void onError(WebSocketConnection connection, Throwable error) {
        errors.increment();
        LOG.debug("{}: connection error: {}", settings.id(), error.toString());
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        if (!(connection.attributes().get(CLIENT) instanceof Client client)) {
            return;
        }
        ChannelsCodec.Inbound inbound = codec.decode(text);
        if (inbound instanceof ChannelsCodec.Invalid invalid) {
            errors.increment();
            LOG.debug("{}: {} sent an invalid frame: {}", settings.id(), client.id, invalid.why());
            sendTo(client, invalid.reply());
            return;
        }
        ChannelsCodec.Frame frame = (ChannelsCodec.Frame) inbound;
        switch (frame.event()) {
            case ChannelsCodec.SUBSCRIBE -> subscribe(client, frame.topic(), frame.payload());
            case ChannelsCodec.UNSUBSCRIBE -> unsubscribe(client, frame.topic());
            default -> event(client, frame);
        }
    }

    /** The seed reads every message as text ({@code data.toString()}), binary ones included. */
    @Override
    public void onBinary(WebSocketConnection connection, ByteBuffer data) {
        onText(connection, StandardCharsets.UTF_8.decode(data).toString());
    }

    // --- protocol -----------------------------------------------------------------------------

    private void subscribe(Client client, String topicName, JsonNode payload) {
        Match match = match(topicName);
        if (match == null) {
            sendTo(client, codec.noChannel(topicName));
            return;
        }
        String subscribed = codec.subscribed(topicName, ChannelsCodec.subscribeId(payload));
        ChannelCall call = new ChannelCall(this, client, topicName, match.params());
        while (true) {
            Topic topic = topics.computeIfAbsent(topicName, Topic::new);
            synchronized (topic) {
                if (topic.retired) {
                    continue;
                }
                topic.subscribers.add(client);
                if (client.topics == null) {
                    client.topics = new HashSet<>(4);
                }
                client.topics.add(topicName);
                sendTo(client, subscribed);
                try {
                    match.route().channel().onJoin(call);
                } catch (RuntimeException e) {
                    handlerFailed(client, topicName, ChannelsCodec.SUBSCRIBE, match.route(), e);
                }
            }
            break;
        }
        LOG.debug("{}: {} subscribed to {}", settings.id(), client.id, topicName);
    }

    private void unsubscribe(Client client, String topicName) {
        if (client.topics != null && client.topics.remove(topicName)) {
            leave(client, topicName);
        }
        sendTo(client, codec.unsubscribed(topicName));
        LOG.debug("{}: {} unsubscribed from {}", settings.id(), client.id, topicName);
    }

    private void leave(Client client, String topicName) {
        Topic topic = topics.get(topicName);
        if (topic == null) {
            return;
        }
        synchronized (topic) {
            topic.subscribers.remove(client);
            retireIfIdle(topic);
        }
    }

    /** Drops a topic nobody listens to and that remembers nothing; call holding its lock. */
    private void retireIfIdle(Topic topic) {
        if (topic.subscribers.isEmpty() && topic.history.isEmpty() && !topic.retired) {
            topic.retired = true;
            topics.remove(topic.name, topic);
        }
    }

    private void event(Client client, ChannelsCodec.Frame frame) {
        Match match = match(frame.topic());
        if (match == null) {
            sendTo(client, codec.noChannel(frame.topic()));
            return;
        }
        boolean handled;
        try {
            handled = match.route().channel().onEvent(new ChannelCall(this, client, frame.topic(), match.params()),
                    frame.event(), frame.payload());
        } catch (RuntimeException e) {
            handlerFailed(client, frame.topic(), frame.event(), match.route(), e);
            return;
        }
        if (!handled) {
            unhandled.increment();
            LOG.debug("{}: unhandled event {} on {} from {}", settings.id(), frame.event(), frame.topic(), client.id);
            return;
        }
        events.onEvent(client.id, frame.topic(), frame.event(), frame.payload());
    }

    private void handlerFailed(Client client, String topic, String event, Route route, RuntimeException e) {
        errors.increment();
        LOG.warn("{}: channel handler {} failed on {} {} from {}: {}", settings.id(), route.channel(), topic, event,
                client.id, e.toString());
        sendTo(client, codec.handlerFailed(topic, event));
    }

    // --- sending ------------------------------------------------------------------------------

    ChannelsCodec codec() {
        return codec;
    }

    /** Queues a frame to one client; a client whose queue is full is closed as a slow consumer. */
    boolean sendTo(Client client, String frame) {
        if (client.closing) {
            return false;
        }
        WebSocketConnection connection = client.connection;
        if (connection.pendingSends() >= settings.sendQueueLimit()) {
            closeSlowConsumer(client);
            return false;
        }
        connection.sendText(frame);
        return true;
    }

    private void closeSlowConsumer(Client client) {
        synchronized (client) {
            if (client.closing) {
                return;
            }
            client.closing = true;
        }
        slowConsumers.increment();
        LOG.warn("{}: closing slow consumer {} ({}) with 1013: {} frames queued", settings.id(), client.id,
                client.connection.remoteAddress(), client.connection.pendingSends());
        client.connection.close(1013, "Slow consumer: send queue full");
    }

    /**
     * Sends {@code [topic, event, payload]} to every subscriber of {@code topic}.
     *
     * @param payload a tree or plain JSON-compatible values
     * @return the number of subscribers it was queued to
     */
    public int broadcast(String topicName, String event, Object payload) {
        Topic topic = topics.get(topicName);
        if (topic == null) {
            return 0;
        }
        String frame = codec.encode(topicName, event, payload);
        synchronized (topic) {
            return fanOut(topic, frame);
        }
    }

    /** A chat message: remembered in the topic's history, then broadcast as {@code message}. */
    int post(String topicName, JsonNode payload) {
        String frame = codec.encode(topicName, "message", payload);
        int limit = settings.historySize();
        while (true) {
            Topic topic = limit > 0 ? topics.computeIfAbsent(topicName, Topic::new) : topics.get(topicName);
            if (topic == null) {
                return 0;
            }
            synchronized (topic) {
                if (topic.retired) {
                    continue;
                }
                if (limit > 0) {
                    topic.history.addLast(payload);
                    while (topic.history.size() > limit) {
                        topic.history.removeFirst();
                    }
                }
                return fanOut(topic, frame);
            }
        }
    }

    private int fanOut(Topic topic, String frame) {
        int sent = 0;
        for (Client client : topic.subscribers) {
            if (sendTo(client, frame)) {
                sent++;
            }
        }
        return sent;
    }

    /** The {@code history} snapshot frame of a chat topic; a joining client gets it while holding the topic's lock. */
    String historyFrame(String topicName) {
        Topic topic = topics.get(topicName);
        List<JsonNode> messages = List.of();
        if (topic != null) {
            synchronized (topic) {
                messages = new ArrayList<>(topic.history);
            }
        }
        return codec.history(topicName, messages);
    }

    /**
     * Delivers a message from Switchboard: a chat {@code message} on a chat topic goes through the
     * chat channel (history included), anything else is a plain broadcast.
     *
     * @return the number of subscribers reached, or -1 when no channel serves the topic
     */
    public int deliver(String topic, String event, Object payload) {
        Match match = match(topic);
        if (match == null) {
            return -1;
        }
        if (match.route().channel() instanceof ChatChannel && "message".equals(event)) {
            return post(topic, codec.toTree(payload));
        }
        return broadcast(topic, event, payload);
    }

    // --- figures ------------------------------------------------------------------------------

    public int connectionCount() {
        return clients.size();
    }

    public int subscriberCount(String topicName) {
        Topic topic = topics.get(topicName);
        if (topic == null) {
            return 0;
        }
        synchronized (topic) {
            return topic.subscribers.size();
        }
    }

    /** Transport counters across every connection this server accepted. */
    public ConnectionMetrics.Snapshot transportMetrics() {
        WebSocketServer bound = server;
        return bound == null ? ConnectionMetrics.ZERO : bound.metrics().snapshot();
    }

    /** Protocol errors: invalid frames, failed handlers, connection errors. */
    public long errors() {
        return errors.sum();
    }

    /** Connections, limits, subscribers of the busiest topics and refusals, for {@code EndpointMetrics.details}. */
    public Map<String, Object> details() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        topics.values().stream()
                .map(t -> Map.entry(t.name, subscriberCount(t.name)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(TOPICS_IN_METRICS)
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("url", url());
        details.put("connections", clients.size());
        details.put("maxConnections", settings.maxConnections());
        details.put("topics", topics.size());
        details.put("subscribers", counts);
        details.put("rejectedConnections", rejected.sum());
        details.put("slowConsumersClosed", slowConsumers.sum());
        details.put("unhandledEvents", unhandled.sum());
        details.put("channels", routes.stream().map(r -> r.pattern().toString()).distinct().toList());
        return details;
    }
}
