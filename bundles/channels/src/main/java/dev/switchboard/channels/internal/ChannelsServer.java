package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.channels.ChannelHandler;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.SharedText;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
 * The topic-channel protocol's server on a transport {@link WebSocketServer}: {@code [topic, event,
 * payload]} frames, subscribe/unsubscribe, the protocol's error replies, a connection limit; beyond
 * the protocol, a frame size limit (1009), a bounded send queue per client (1013) and keepalive
 * pings. It handles connections: what a client's frame does on its topic is the
 * {@link ChannelDispatch}'s business. Enqueueing never blocks: the transport writes asynchronously.
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

    /** Told about each client event a channel handled, on that client's thread; must return quickly. */
    @FunctionalInterface
    public interface EventListener {
        void onEvent(String connectionId, String topic, String event, JsonNode payload);
    }

    private final WebSocketTransport transport;
    private final ChannelsCodec codec;
    private final ChannelDispatch dispatch;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong connectionCounter = new AtomicLong();
    private final LongAdder errors = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();
    private volatile ChannelsSettings settings;
    private volatile WebSocketServer server;

    public ChannelsServer(WebSocketTransport transport, ChannelsSettings settings, EventListener events) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.settings = settings;
        this.codec = new ChannelsCodec(settings.maxFrameBytes());
        this.dispatch = new ChannelDispatch(settings, codec, this::sendTo, events == null ? (c, t, e, p) -> { } : events);
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
        ChannelsSettings s = settings;
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

    /** Closes every client with 1000 "Server shutting down", as the protocol's reference server does, and releases the port. Idempotent. */
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
        clients.forEach(Client::startClosing);
        int count = bound.connections().size();
        // every connection, also one whose handshake completes meanwhile
        bound.close(code, reason);
        clients.clear();
        accepted.set(0);
        dispatch.clear();
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
    public synchronized boolean reconfigure(ChannelsSettings next) {
        if (!settings.sameListener(next)) {
            return false;
        }
        settings = next;
        dispatch.reconfigure(next);
        return true;
    }

    /** Serves a handler's pattern from now on; a handler with a malformed pattern is refused with a log line. */
    public void addHandler(ChannelHandler handler, int ranking, long order) {
        dispatch.addHandler(handler, ranking, order);
    }

    public void removeHandler(ChannelHandler handler) {
        dispatch.removeHandler(handler);
    }

    /**
     * Shares broadcasts, chat messages, history and subscriber counts with the endpoints of the same
     * id on the other nodes through {@code topics}, from now on; null: with nobody.
     */
    public void share(ClusterTopics topics) {
        dispatch.share(topics);
    }

    /** Delivers what the other nodes share to this server's subscribers: hand it to {@code Cluster.topics}. */
    public ClusterTopics.Listener sharedListener() {
        return dispatch.sharedListener();
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
        LOG.debug("{}: client {} connected from {}", settings.id(), client.id(), connection.remoteAddress());
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        Object attribute = connection.attributes().remove(CLIENT);
        if (!(attribute instanceof Client client) || !clients.remove(client)) {
            return;
        }
        accepted.decrementAndGet();
        dispatch.left(client);
        LOG.debug("{}: client {} disconnected (code {})", settings.id(), client.id(), code);
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
            LOG.debug("{}: {} sent an invalid frame: {}", settings.id(), client.id(), invalid.why());
            sendTo(client, invalid.reply());
            return;
        }
        ChannelsCodec.Frame frame = (ChannelsCodec.Frame) inbound;
        switch (frame.event()) {
            case ChannelsCodec.SUBSCRIBE -> dispatch.subscribe(client, frame.topic(), frame.payload());
            case ChannelsCodec.UNSUBSCRIBE -> dispatch.unsubscribe(client, frame.topic());
            default -> dispatch.event(client, frame);
        }
    }

    /**
     * Yes: a frame is decoded, queued to subscribers and handed to channel handlers and the event
     * listener, which must return quickly themselves; sends never wait.
     */
    @Override
    public boolean neverBlocks() {
        return true;
    }

    /** Every message is read as text, binary ones included, as the protocol's reference server reads them. */
    @Override
    public void onBinary(WebSocketConnection connection, ByteBuffer data) {
        onText(connection, StandardCharsets.UTF_8.decode(data).toString());
    }

    // --- sending ------------------------------------------------------------------------------

    ChannelsCodec codec() {
        return codec;
    }

    /** Queues a frame to one client; a client whose queue is full is closed as a slow consumer. */
    boolean sendTo(Client client, String frame) {
        return sendTo(client, SharedText.of(frame));
    }

    /** As {@link #sendTo(Client, String)}, for a frame that goes to many clients. */
    boolean sendTo(Client client, SharedText frame) {
        if (client.closing()) {
            return false;
        }
        WebSocketConnection connection = client.connection();
        if (connection.pendingSends() >= settings.sendQueueLimit()) {
            if (client.startClosing()) {
                slowConsumers.increment();
                LOG.warn("{}: closing slow consumer {} ({}) with 1013: {} frames queued", settings.id(), client.id(),
                        connection.remoteAddress(), connection.pendingSends());
                connection.close(1013, "Slow consumer: send queue full");
            }
            return false;
        }
        return connection.send(frame);
    }

    /**
     * Sends {@code [topic, event, payload]} to every subscriber of {@code topic}.
     *
     * @param payload a tree or plain JSON-compatible values
     * @return the number of subscribers it was queued to
     */
    public int broadcast(String topic, String event, Object payload) {
        return dispatch.broadcast(topic, event, payload);
    }

    /**
     * Delivers a message from Switchboard: a chat {@code message} on a chat topic goes through the
     * chat channel (history included), anything else is a plain broadcast.
     *
     * @return the number of subscribers reached, or -1 when no channel serves the topic
     */
    public int deliver(String topic, String event, Object payload) {
        return dispatch.deliver(topic, event, payload);
    }

    // --- figures ------------------------------------------------------------------------------

    public int connectionCount() {
        return clients.size();
    }

    public int subscriberCount(String topic) {
        return dispatch.subscriberCount(topic);
    }

    /** Subscribers of {@code topic} on every node, as last counted; this server's while not shared. */
    public int clusterSubscriberCount(String topic) {
        return dispatch.clusterSubscriberCount(topic);
    }

    /** Transport counters across every connection this server accepted. */
    public ConnectionMetrics.Snapshot transportMetrics() {
        WebSocketServer bound = server;
        return bound == null ? ConnectionMetrics.ZERO : bound.metrics().snapshot();
    }

    /** Protocol errors: invalid frames, failed handlers, connection errors. */
    public long errors() {
        return errors.sum() + dispatch.handlerFailures();
    }

    /** Connections, limits, subscribers of the busiest topics and refusals, for {@code EndpointMetrics.details}. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("url", url());
        details.put("connections", clients.size());
        details.put("maxConnections", settings.maxConnections());
        details.put("rejectedConnections", rejected.sum());
        details.put("slowConsumersClosed", slowConsumers.sum());
        dispatch.addFigures(details);
        return details;
    }
}
