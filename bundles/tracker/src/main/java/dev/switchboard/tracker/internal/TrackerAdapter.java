package dev.switchboard.tracker.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.api.DedupCache;
import dev.switchboard.transport.EndpointRegistration;
import dev.switchboard.transport.JsonFraming;
import dev.switchboard.transport.MessagePublisher;
import dev.switchboard.transport.WebSocketTransport;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured agent identity on a tracker: a {@link TrackerClient} plus its {@link Endpoint},
 * {@link MessageSource} and {@link MessageSink} services. Tracker events become messages; routed
 * messages become {@code chat.send}, task comments or stream events.
 */
@Component(configurationPid = "dev.switchboard.tracker", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = TrackerConfig.class, factory = true)
public class TrackerAdapter implements Endpoint, MessageSource, MessageSink, TrackerClient.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(TrackerAdapter.class);

    static final String PROTOCOL = "tracker";

    /** Messages waiting for listeners before new ones are dropped (and counted as errors). */
    private static final int SOURCE_QUEUE = 10_000;

    /** One instance's configuration, as {@link TrackerConfig} gives it. */
    record Options(String id, boolean enabled, String trackerUrl, String wsUrl, String token, String displayName,
                   Duration heartbeatInterval, int maxFrameBytes, Duration pingInterval, Backoff backoff) {

        /** Enabled, with the seed's schedule and the configuration's defaults: for tests. */
        static Options of(String id, String trackerUrl, String token, Duration heartbeatInterval) {
            return new Options(id, true, trackerUrl, "", token, "Switchboard", heartbeatInterval, 1 << 20,
                    Duration.ofSeconds(30), Backoff.STANDARD);
        }

        @Override
        public String toString() {
            return "Options[id=" + id + ", trackerUrl=" + trackerUrl + ", wsUrl=" + wsUrl + ", enabled=" + enabled + "]";
        }
    }

    @Reference
    private WebSocketTransport transport;

    private final MessagePublisher publisher = new MessagePublisher(PROTOCOL, SOURCE_QUEUE);
    /** Ids of delivered events: kept across reconnects and reconfigurations, so nothing arrives twice. */
    private final DedupCache seen = new DedupCache();
    private final JsonFraming json = new JsonFraming();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    /** Messages not written; with the source's dropped messages and failed listener calls, the endpoint's own errors. */
    private final LongAdder failures = new LongAdder();
    private TrackerClient client;
    private Options options;
    private EndpointRegistration registration;
    private volatile EndpointStatus status = EndpointStatus.offline("not started");

    public TrackerAdapter() {
    }

    /** Outside OSGi (tests): {@link #start} and {@link #stop} instead of DS. */
    TrackerAdapter(WebSocketTransport transport) {
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, TrackerConfig config) {
        start(options(config));
        registration = EndpointRegistration.register(context, this, id(), PROTOCOL);
    }

    /** Every setting needs a new session (token, address, heartbeat): reconnect with the new ones. */
    @Modified
    void modified(TrackerConfig config) {
        stop();
        start(options(config));
        if (registration != null) {
            registration.rename(id());
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.close();
            registration = null;
        }
        stop();
    }

    static Options options(TrackerConfig config) {
        return new Options(config.id(), config.enabled(), config.trackerUrl(), config.wsUrl(),
                config.token() == null ? "" : config.token(), config.displayName(),
                Duration.ofSeconds(Math.max(1, config.heartbeatIntervalSeconds())), config.maxFrameBytes(),
                Duration.ofSeconds(Math.max(0, config.pingIntervalSeconds())), Backoff.STANDARD);
    }

    /** Starts connecting in the background; a configuration that cannot work is OFFLINE with the reason. */
    synchronized void start(Options next) {
        options = next;
        String id = next.id();
        publisher.start(id);
        if (!next.enabled()) {
            status = EndpointStatus.offline("disabled in its configuration");
            LOG.info("{}: disabled", id);
            return;
        }
        URI uri;
        try {
            uri = TrackerCodec.webSocketUri(next.trackerUrl(), next.wsUrl());
        } catch (IllegalArgumentException e) {
            status = EndpointStatus.offline("bad tracker URL: " + e.getMessage());
            LOG.error("{}: {}", id, status.reason());
            return;
        }
        if (next.token().isBlank()) {
            status = EndpointStatus.offline("no token configured");
            LOG.error("{}: {}", id, status.reason());
            return;
        }
        client = new TrackerClient(transport, new TrackerClient.Settings(id, uri, next.token(),
                next.heartbeatInterval(), next.maxFrameBytes(), next.pingInterval(), next.backoff(),
                next.displayName()), seen, this);
        client.start();
    }

    /** Closes the connection, the heartbeat and the source thread. Idempotent. */
    synchronized void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
        publisher.stop();
        status = EndpointStatus.offline("stopped");
    }

    /** The running client (tests). */
    synchronized TrackerClient client() {
        return client;
    }

    // --- TrackerClient.Listener -----------------------------------------------------------------

    @Override
    public void onStatus(EndpointStatus next) {
        status = next;
    }

    /** A tracker event, on the connection's thread: becomes a message on the source thread. */
    @Override
    public void onEvent(TrackerCodec.Event event) {
        messagesIn.increment();
        publisher.publish(message(event));
    }

    private Message message(TrackerCodec.Event event) {
        String text = TrackerCodec.chatText(event);
        return Message.builder(id(), TrackerCodec.channel(event.data()))
                .id(event.id())
                .event(text != null ? Message.CHAT : event.type())
                .text(text)
                .author(TrackerCodec.author(event.data()))
                .data(json.toPlain(event.data()))
                .time(event.time())
                .build();
    }

    // --- MessageSource ------------------------------------------------------------------------

    @Override
    public Subscription subscribe(MessageListener listener) {
        return publisher.subscribe(listener);
    }

    // --- MessageSink --------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> send(Message message) {
        TrackerClient running = client();
        if (running == null || !running.authenticated()) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "not authenticated: " + status.reason()));
        }
        String event = message.event();
        String channel = message.channel();
        CompletionStage<Void> sent;
        if (TrackerCodec.TASK_START.equals(event) || TrackerCodec.TASK_END.equals(event)) {
            return taskProgress(running, event, channel);
        } else if (TrackerCodec.STREAM_EVENTS.contains(event)) {
            sent = running.stream(event, streamData(message));
        } else if (channel.startsWith(TrackerCodec.PROJECT_CHANNEL) || channel.equals(TrackerCodec.EVENTS_CHANNEL)) {
            return CompletableFuture.failedFuture(new DeliveryException(id(),
                    "cannot send to " + channel + ": send to a chat id or task:<id>"));
        } else {
            String content = TrackerCodec.content(message);
            if (content == null) {
                return CompletableFuture.failedFuture(new DeliveryException(id(),
                        "event " + event + " has no text: the tracker takes chat text, stream events and task progress"));
            }
            sent = running.chat(TrackerCodec.Target.of(channel), content, TrackerCodec.mentions(message),
                    TrackerCodec.thinking(message));
        }
        return sent.handle((ok, error) -> {
            if (error != null) {
                failures.increment();
                throw new DeliveryException(id(), "not written: " + error.getMessage(), error);
            }
            messagesOut.increment();
            return null;
        });
    }

    private CompletionStage<Void> taskProgress(TrackerClient running, String event, String channel) {
        if (!channel.startsWith(TrackerCodec.TASK_CHANNEL)) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), event + " needs channel task:<id>"));
        }
        String taskId = channel.substring(TrackerCodec.TASK_CHANNEL.length());
        if (TrackerCodec.TASK_START.equals(event)) {
            running.taskStarted(taskId);
        } else {
            running.taskEnded(taskId);
        }
        LOG.info("{}: task {} {}", id(), taskId, TrackerCodec.TASK_START.equals(event) ? "in progress" : "ended");
        messagesOut.increment();
        return CompletableFuture.completedFuture(null);
    }

    /** The stream event's data, with the chat or task of its channel added when the data names neither. */
    private static Map<String, Object> streamData(Message message) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (message.data() instanceof Map<?, ?> map) {
            map.forEach((key, value) -> data.put(String.valueOf(key), value));
        } else if (message.data() != null) {
            data.put("data", message.data());
        }
        if (!data.containsKey("chat_id") && !data.containsKey("task_id")) {
            TrackerCodec.Target target = TrackerCodec.Target.of(message.channel());
            if (target.taskId() != null) {
                data.put("task_id", target.taskId());
            } else {
                data.put("chat_id", target.chatId());
            }
        }
        return data;
    }

    // --- Endpoint -----------------------------------------------------------------------------

    private long failures() {
        return failures.sum() + publisher.dropped() + publisher.listenerFailures();
    }

    @Override
    public synchronized String id() {
        return options == null ? "" : options.id();
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public EndpointStatus status() {
        return status;
    }

    @Override
    public EndpointMetrics metrics() {
        TrackerClient running = client();
        Options current;
        synchronized (this) {
            current = options;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (current != null) {
            details.put("displayName", current.displayName());
        }
        if (running == null) {
            return new EndpointMetrics(messagesIn.sum(), messagesOut.sum(), 0, 0, failures(), 0, details);
        }
        TrackerClient.Session session = running.session();
        ConnectionMetrics.Snapshot transportMetrics = running.transportMetrics();
        details.put("url", running.address());
        details.put("authenticated", running.authenticated());
        if (session.lobbyChatId() != null) {
            details.put("lobbyChatId", session.lobbyChatId());
        }
        details.put("projects", session.projects().stream().map(TrackerCodec.Project::asMap).toList());
        details.put("online", session.online());
        details.put("eventsReceived", running.eventsReceived());
        details.put("duplicatesDropped", running.duplicates());
        details.put("reconnects", transportMetrics.reconnects());
        details.put("heartbeatAcks", running.heartbeatAcks());
        details.put("tasksInProgress", List.copyOf(running.tasks()));
        return new EndpointMetrics(messagesIn.sum(), messagesOut.sum(), transportMetrics.bytesIn(),
                transportMetrics.bytesOut(), running.errors() + failures() + transportMetrics.errors(),
                transportMetrics.reconnects(), details);
    }
}
