package dev.switchboard.tracker.internal;

import dev.switchboard.api.DedupCache;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSupport;
import dev.switchboard.endpoint.Traffic;
import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.JsonFraming;
import dev.switchboard.transport.WebSocketTransport;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

/**
 * One configured agent identity on a tracker: a {@link TrackerClient} on the endpoint skeleton.
 * Routed messages become {@code chat.send}, task comments or stream events; tracker events become
 * messages by one rule, so that nothing but chat reaches a chat:
 * <ul>
 *   <li>a <b>chat message</b> (a {@code chat.message} or {@code task.comment} whose {@code content}
 *       is a string) is published on its chat's channel, the chat id ({@code task:<id>} for a comment
 *       on a task), with event {@value Message#CHAT} and the content as its text;</li>
 *   <li><b>every other event</b> is published on the channel {@value TrackerCodec#EVENTS_CHANNEL}
 *       with the tracker's event name, and once more on {@code task:<id>} when it names a task, never
 *       on a chat id: a gateway member gets these only by naming {@code <endpoint>:events} or
 *       {@code <endpoint>:task:<id>};</li>
 *   <li>a chat event whose content is not a string is no chat message: it is published as every
 *       other event, counted ({@code malformedChatMessages}) and logged at WARN with its event id.</li>
 * </ul>
 */
@Component(configurationPid = "dev.switchboard.tracker", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = TrackerConfig.class, factory = true)
public class TrackerAdapter extends EndpointSupport<TrackerSettings> implements TrackerClient.Listener {

    static final String PROTOCOL = "tracker";

    @Reference
    private WebSocketTransport transport;

    /** Ids of delivered events: kept across reconnects and reconfigurations, so nothing arrives twice. */
    private final DedupCache seen = new DedupCache();
    private final JsonFraming json = new JsonFraming();
    private final LongAdder malformedChatMessages = new LongAdder();
    // written under this, read by transport threads
    private volatile TrackerClient client;

    public TrackerAdapter() {
        super(PROTOCOL);
    }

    /** Outside OSGi (tests): {@link #start} and {@link #stop} instead of DS. */
    TrackerAdapter(WebSocketTransport transport) {
        this();
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, TrackerConfig config) {
        activateEndpoint(context, config, TrackerAdapter::settings);
    }

    /** Every setting needs a new session (token, address, heartbeat): the skeleton reconnects with the new ones. */
    @Modified
    void modified(TrackerConfig config) {
        modifyEndpoint(config, TrackerAdapter::settings);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    static TrackerSettings settings(TrackerConfig config) {
        URI uri = config.wsUrl() == null || config.wsUrl().isBlank()
                ? TrackerSettings.webSocketUri(ConfigCheck.uri("trackerUrl", config.trackerUrl(), "http", "https",
                        "ws", "wss"))
                : ConfigCheck.uri("wsUrl", config.wsUrl(), "ws", "wss");
        return new TrackerSettings(ConfigCheck.notBlank("id", config.id()), config.enabled(), uri,
                ConfigCheck.notBlank("token", config.token()), config.displayName(),
                Duration.ofSeconds(ConfigCheck.range("heartbeatIntervalSeconds", config.heartbeatIntervalSeconds(),
                        1, 3600)),
                ConfigCheck.range("maxFrameBytes", config.maxFrameBytes(), 1024, 16 << 20),
                Duration.ofSeconds(ConfigCheck.range("pingIntervalSeconds", config.pingIntervalSeconds(), 0, 3600)),
                Backoff.STANDARD);
    }

    // --- the protocol -------------------------------------------------------------------------

    /** Starts connecting in the background; the status follows the session. */
    @Override
    protected synchronized void startProtocol(TrackerSettings settings) {
        TrackerClient next = new TrackerClient(transport, settings, seen, this);
        client = next;
        next.start();
    }

    /** Closes the connection with 1000; the heartbeat ends with it. */
    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        TrackerClient running = client;
        client = null;
        if (running != null) {
            running.close();
        }
    }

    /** The running client (tests). */
    TrackerClient client() {
        return client;
    }

    @Override
    public void onStatus(EndpointStatus status) {
        updateStatus(status.state(), status.detail(), status.reason());
    }

    // --- tracker events -------------------------------------------------------------------------

    /** A tracker event, on the connection's thread: published by the rule in the class comment. */
    @Override
    public void onEvent(TrackerCodec.Event event) {
        String text = TrackerCodec.chatText(event);
        String chat = TrackerCodec.chatChannel(event.data());
        if (text != null && chat != null) {
            publish(message(event, chat).event(Message.CHAT).text(text).build());
            return;
        }
        if (TrackerCodec.isChat(event) && text == null) {
            malformedChatMessages.increment();
            log.warn("{}: chat event {} {} has no string content: published on {} as an event, not as chat", id(),
                    event.type(), event.id(), TrackerCodec.EVENTS_CHANNEL);
        }
        publish(message(event, TrackerCodec.EVENTS_CHANNEL).event(event.type()).build());
        String task = TrackerCodec.taskChannel(event.data());
        if (task != null) {
            publish(message(event, task).event(event.type()).build());
        }
    }

    private Message.Builder message(TrackerCodec.Event event, String channel) {
        return Message.builder(id(), channel)
                .id(event.id())
                .author(TrackerCodec.author(event.data()))
                .data(json.toPlain(event.data()))
                .time(event.time());
    }

    // --- routed messages ------------------------------------------------------------------------

    @Override
    protected CompletionStage<Void> deliver(Message message) {
        TrackerClient running = client;
        if (running == null || !running.authenticated()) {
            return CompletableFuture.failedFuture(new EndpointUnavailableException(id(), "not authenticated: "
                    + status().reason()));
        }
        String event = message.event();
        String channel = message.channel();
        if (TrackerCodec.TASK_START.equals(event) || TrackerCodec.TASK_END.equals(event)) {
            return taskProgress(running, event, channel);
        }
        if (TrackerCodec.STREAM_EVENTS.contains(event)) {
            return written(running.stream(event, streamData(message)));
        }
        if (channel.startsWith(TrackerCodec.PROJECT_CHANNEL) || channel.equals(TrackerCodec.EVENTS_CHANNEL)) {
            return CompletableFuture.failedFuture(new DeliveryException(id(),
                    "cannot send to " + channel + ": send to a chat id or task:<id>"));
        }
        String content = TrackerCodec.content(message);
        if (content == null) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "event " + event
                    + " has no text: the tracker takes chat text, stream events and task progress"));
        }
        return written(running.chat(TrackerCodec.Target.of(channel), content, TrackerCodec.mentions(message),
                TrackerCodec.thinking(message)));
    }

    /** A frame the connection could not take (closed meanwhile, queue full) is "not now": the router sends it again. */
    private CompletionStage<Void> written(CompletionStage<Void> sent) {
        return sent.handle((ok, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                throw new EndpointUnavailableException(id(), "not written: " + cause.getMessage(), cause);
            }
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
        log.info("{}: task {} {}", id(), taskId, TrackerCodec.TASK_START.equals(event) ? "in progress" : "ended");
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

    // --- counters -------------------------------------------------------------------------------

    @Override
    protected Traffic traffic() {
        TrackerClient running = client;
        if (running == null) {
            return Traffic.NONE;
        }
        ConnectionMetrics.Snapshot m = running.transportMetrics();
        return new Traffic(m.bytesIn(), m.bytesOut(), running.errors() + m.errors(), m.reconnects());
    }

    /** The session (lobby, projects, who is online) and the protocol's counters. */
    @Override
    protected Map<String, Object> details() {
        TrackerClient running = client;
        if (running == null) {
            return Map.of();
        }
        TrackerClient.Session session = running.session();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("displayName", running.settings().displayName());
        details.put("url", running.settings().address());
        details.put("authenticated", running.authenticated());
        if (session.lobbyChatId() != null) {
            details.put("lobbyChatId", session.lobbyChatId());
        }
        details.put("projects", session.projects().stream().map(TrackerCodec.Project::asMap).toList());
        details.put("online", session.online());
        details.put("eventsReceived", running.eventsReceived());
        details.put("duplicatesDropped", running.duplicates());
        details.put("malformedChatMessages", malformedChatMessages.sum());
        details.put("reconnects", running.transportMetrics().reconnects());
        details.put("heartbeatAcks", running.heartbeatAcks());
        details.put("tasksInProgress", List.copyOf(running.tasks()));
        return details;
    }
}
