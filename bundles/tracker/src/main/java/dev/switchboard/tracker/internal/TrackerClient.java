package dev.switchboard.tracker.internal;

import dev.switchboard.api.DedupCache;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.Heartbeat;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's agent protocol as a state machine over transport's reconnecting client: on every
 * open it authenticates with the token; {@code auth.ok} starts the session (heartbeat at once and
 * every interval, backoff reset); {@code auth.error} ends the client for good (OFFLINE with the
 * server's reason, no reconnect); every other message is a tracker event, deduplicated by id
 * across reconnects, acked, and handed to the {@link Listener}. It has no thread of its own: the
 * heartbeat beats on the transport's timer.
 */
final class TrackerClient implements ClientHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrackerClient.class);

    /** What the client reports; called on transport threads, one at a time per connection. */
    interface Listener {
        /** A tracker event seen for the first time (or one without id). */
        void onEvent(TrackerCodec.Event event);

        /** The state of the session, with the kind of trouble and the reason (never the token). */
        void onStatus(EndpointStatus status);

        /** A reconnect is scheduled: attempt {@code attempt} after {@code delay}. */
        default void onRetry(int attempt, Duration delay, String reason) {
        }
    }

    /** What {@code auth.ok} said, kept until the next one. */
    record Session(String lobbyChatId, List<TrackerCodec.Project> projects, List<String> online) {
        static final Session NONE = new Session(null, List.of(), List.of());
    }

    private final WebSocketTransport transport;
    private final TrackerSettings settings;
    private final DedupCache seen;
    private final Listener listener;
    private final TrackerCodec codec;
    private final Heartbeat heartbeat;
    private final Set<String> tasks = ConcurrentHashMap.newKeySet();
    private final LongAdder eventsReceived = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder heartbeatAcks = new LongAdder();
    private final LongAdder invalidFrames = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();

    private volatile WebSocketClient client;
    private volatile boolean authenticated;
    private volatile boolean finished;
    private volatile String rejection;
    private volatile Session session = Session.NONE;

    /**
     * @param seen ids of events already delivered; owned by the caller so that it outlives this
     *             client (and every reconnect of it)
     */
    TrackerClient(WebSocketTransport transport, TrackerSettings settings, DedupCache seen, Listener listener) {
        this.transport = transport;
        this.settings = settings;
        this.seen = seen;
        this.listener = listener;
        this.codec = new TrackerCodec(settings.maxFrameBytes());
        this.heartbeat = transport.heartbeat(settings.id(), settings.heartbeatInterval(), this::sendHeartbeat);
    }

    /** Starts connecting in the background; never blocks on the network. */
    void start() {
        listener.onStatus(EndpointStatus.connecting("connecting to " + settings.address()));
        client = transport.connect(ClientSpec.builder(settings.id(), settings.uri())
                .maxMessageSize(settings.maxFrameBytes())
                .pingInterval(settings.pingInterval())
                .backoff(settings.backoff())
                // the tracker's schedule resets on auth.ok (resetBackoff), not after a while open
                .stableAfter(Duration.ZERO)
                .build(), this);
    }

    // --- transport callbacks --------------------------------------------------------------------

    @Override
    public void onOpen(WebSocketConnection connection) {
        if (finished) {
            return;
        }
        LOG.info("{}: connected to {}, authenticating", settings.id(), settings.address());
        listener.onStatus(EndpointStatus.connecting("authenticating"));
        connection.sendText(codec.auth(settings.token()));
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        TrackerCodec.Inbound inbound = codec.decode(text);
        if (inbound instanceof TrackerCodec.Event event) {
            received(connection, event);
        } else if (inbound instanceof TrackerCodec.AuthOk ok) {
            authenticated(ok);
        } else if (inbound instanceof TrackerCodec.AuthError error) {
            rejected(error.reason());
        } else if (inbound instanceof TrackerCodec.HeartbeatAck ack) {
            heartbeatAcks.increment();
            LOG.debug("{}: {}", settings.id(), ack.type());
        } else if (inbound instanceof TrackerCodec.SubscribeOk ok) {
            LOG.info("{}: {} {}", settings.id(), ok.type(), ok.detail());
        } else if (inbound instanceof TrackerCodec.Invalid invalid) {
            invalidFrames.increment();
            LOG.warn("{}: dropped a frame, {}: {}", settings.id(), invalid.why(), invalid.excerpt());
        }
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        authenticated = false;
        heartbeat.stop();
        LOG.info("{}: connection closed: {} {}", settings.id(), code, reason);
    }

    @Override
    public void onRetryScheduled(int attempt, Duration delay, String reason) {
        if (!finished) {
            listener.onStatus(EndpointStatus.connecting(Detail.COMMUNICATION_ERROR,
                    reason + "; retry " + attempt + " in " + delay.toMillis() + " ms"));
            listener.onRetry(attempt, delay, reason);
        }
    }

    private void authenticated(TrackerCodec.AuthOk ok) {
        session = new Session(ok.lobbyChatId(), ok.projects(), ok.online());
        authenticated = true;
        WebSocketClient current = client;
        if (current != null) {
            current.resetBackoff();
        }
        // a beat at once, then every interval: a fresh schedule for every session
        heartbeat.start();
        LOG.info("{}: authenticated as {}; lobby chat {}, {} projects (auto-subscribed): {}, online: {}",
                settings.id(), settings.displayName(), ok.lobbyChatId() == null ? "(none)" : ok.lobbyChatId(),
                ok.projects().size(), ok.projects().stream().map(p -> p.slug() + "(" + p.id() + ")").toList(),
                ok.online());
        listener.onStatus(EndpointStatus.online("authenticated as " + settings.displayName()
                + (ok.lobbyChatId() == null ? "" : "; lobby chat " + ok.lobbyChatId())));
    }

    /** Fatal for this token: retrying would only be refused again, so the client stops for good. */
    private void rejected(String reason) {
        rejection = reason;
        finished = true;
        authenticated = false;
        heartbeat.close();
        LOG.error("{}: authentication failed: {}", settings.id(), reason);
        listener.onStatus(EndpointStatus.offline(Detail.AUTHENTICATION_FAILED, "authentication failed: " + reason));
        WebSocketClient current = client;
        if (current != null) {
            current.close();
        }
    }

    private void received(WebSocketConnection connection, TrackerCodec.Event event) {
        eventsReceived.increment();
        if (event.fromTracker()) {
            // a redelivery usually means our ack was lost: ack it again, deliver it once
            connection.sendText(codec.ack(event.id()));
            if (!seen.firstSeen(event.id())) {
                duplicates.increment();
                LOG.debug("{}: duplicate event {} {} dropped", settings.id(), event.type(), event.id());
                return;
            }
        }
        LOG.debug("{}: event {} {}", settings.id(), event.type(), event.id());
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            handlerErrors.increment();
            LOG.error("{}: event handler failed on {} {}: {}", settings.id(), event.type(), event.id(), e.toString());
        }
    }

    private void sendHeartbeat() {
        WebSocketClient current = client;
        if (authenticated && current != null) {
            current.sendText(codec.heartbeat(!tasks.isEmpty())).exceptionally(e -> {
                LOG.debug("{}: heartbeat not sent: {}", settings.id(), e.toString());
                return null;
            });
        }
    }

    // --- sending --------------------------------------------------------------------------------

    /** A chat message to a chat, or a comment on a task when {@code target} names one. */
    CompletionStage<Void> chat(TrackerCodec.Target target, String content, List<String> mentions, String thinking) {
        return send(codec.chatSend(target.chatId(), target.taskId(), content, mentions, thinking));
    }

    /** A stream event ({@code agent.stream.delta}, {@code agent.stream.tool}) passed through. */
    CompletionStage<Void> stream(String type, Map<String, ?> data) {
        return send(codec.stream(type, data));
    }

    /** Writes a frame; fails at once while not authenticated (the protocol has no per-message ack). */
    private CompletionStage<Void> send(String frame) {
        WebSocketClient current = client;
        if (!authenticated || current == null) {
            return CompletableFuture.failedFuture(new IOException("not authenticated with the tracker"));
        }
        return current.sendText(frame);
    }

    /** A task is being worked on: heartbeats say {@code busy} until every such task ended. */
    void taskStarted(String taskId) {
        tasks.add(taskId);
    }

    void taskEnded(String taskId) {
        tasks.remove(taskId);
    }

    // --- state ----------------------------------------------------------------------------------

    boolean authenticated() {
        return authenticated;
    }

    /** Why the tracker refused the token, or null: once refused, this client never connects again. */
    String rejection() {
        return rejection;
    }

    /** The transport client's state; CLOSED for good once closed or rejected. */
    WebSocketClient.State connectionState() {
        WebSocketClient current = client;
        return current == null ? WebSocketClient.State.CONNECTING : current.state();
    }

    TrackerSettings settings() {
        return settings;
    }

    Session session() {
        return session;
    }

    Set<String> tasks() {
        return Set.copyOf(tasks);
    }

    long eventsReceived() {
        return eventsReceived.sum();
    }

    long duplicates() {
        return duplicates.sum();
    }

    long heartbeatAcks() {
        return heartbeatAcks.sum();
    }

    /** Frames dropped as unreadable plus event handlers that threw. */
    long errors() {
        return invalidFrames.sum() + handlerErrors.sum();
    }

    ConnectionMetrics.Snapshot transportMetrics() {
        WebSocketClient current = client;
        return current == null ? ConnectionMetrics.ZERO : current.metrics().snapshot();
    }

    /** Stops the heartbeat and closes the connection with 1000. Idempotent. */
    @Override
    public void close() {
        finished = true;
        authenticated = false;
        heartbeat.close();
        WebSocketClient current = client;
        if (current != null) {
            current.close();
        }
    }
}
