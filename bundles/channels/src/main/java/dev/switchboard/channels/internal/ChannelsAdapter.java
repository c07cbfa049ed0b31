package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.channels.ChannelHandler;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.EndpointRegistration;
import dev.switchboard.transport.MessagePublisher;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured channels endpoint: a {@link ChannelsServer} plus its {@link Endpoint},
 * {@link MessageSource} and {@link MessageSink} services. Client events a channel handled become
 * messages; routed messages become broadcasts. Channel handler services are picked up and dropped
 * while the server runs.
 */
@Component(configurationPid = "dev.switchboard.channels", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = ChannelsConfig.class, factory = true)
public class ChannelsAdapter implements Endpoint, MessageSource, MessageSink {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelsAdapter.class);

    static final String PROTOCOL = "channels";

    /** Messages waiting for listeners before new ones are dropped (and counted as errors). */
    private static final int SOURCE_QUEUE = 10_000;

    private record HandlerService(ChannelHandler handler, String endpoint, int ranking, long order) {
    }

    @Reference
    private WebSocketTransport transport;

    private final Map<ChannelHandler, HandlerService> handlers = new ConcurrentHashMap<>();
    private final MessagePublisher publisher = new MessagePublisher(PROTOCOL, SOURCE_QUEUE);
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private ChannelsServer server;
    private ChannelsServer.Settings settings;
    private EndpointRegistration registration;
    private volatile EndpointStatus status = EndpointStatus.offline("not started");

    public ChannelsAdapter() {
    }

    /** Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS. */
    ChannelsAdapter(WebSocketTransport transport) {
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, ChannelsConfig config) {
        start(settings(config));
        registration = EndpointRegistration.register(context, this, id(), PROTOCOL);
    }

    @Modified
    void modified(ChannelsConfig config) {
        ChannelsServer.Settings next = settings(config);
        String previousId = id();
        boolean live;
        synchronized (this) {
            live = server != null && next.id().equals(previousId) && server.reconfigure(next);
            if (live) {
                settings = next;
            }
        }
        if (live) {
            LOG.info("{}: reconfigured without restart", next.id());
            return;
        }
        stop();
        start(next);
        if (registration != null) {
            registration.rename(next.id());
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

    /** Starts listening; a bind failure is an OFFLINE status with its reason and a log line, never an exception. */
    synchronized void start(ChannelsServer.Settings next) {
        settings = next;
        String id = next.id();
        publisher.start(id);
        server = new ChannelsServer(transport, next, this::published);
        handlers.values().forEach(this::serve);
        try {
            server.start();
            status = EndpointStatus.online("listening on " + server.url());
        } catch (IOException | RuntimeException e) {
            server.stop();
            // no server at all, so that the next configuration edit tries to listen again
            server = null;
            status = EndpointStatus.offline("cannot listen on " + next.host() + ":" + next.port() + next.path()
                    + ": " + e.getMessage());
            LOG.error("{}: {}", id, status.reason());
        }
    }

    /** Closes every client with 1000 and releases the port and the source thread. Idempotent. */
    synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
        publisher.stop();
        status = EndpointStatus.offline("stopped");
    }

    /** The running server (tests, benchmarks). */
    synchronized ChannelsServer server() {
        return server;
    }

    static ChannelsServer.Settings settings(ChannelsConfig config) {
        return new ChannelsServer.Settings(config.id(), config.host(), config.port(), config.path(),
                config.maxConnections(), config.maxFrameBytes(), config.historySize(),
                config.chatPatterns() == null ? List.of() : List.of(config.chatPatterns()),
                config.sendQueueLimit(), Duration.ofSeconds(Math.max(0, config.pingIntervalSeconds())),
                config.compression());
    }

    // --- channel handler whiteboard -----------------------------------------------------------

    @Reference(service = ChannelHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(ChannelHandler handler, Map<String, Object> properties) {
        Object endpoint = properties.get(ChannelHandler.ENDPOINT_PROPERTY);
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        Object order = properties.get(Constants.SERVICE_ID);
        HandlerService service = new HandlerService(handler, endpoint == null ? null : endpoint.toString(),
                ranking instanceof Integer r ? r : 0, order instanceof Long o ? o : Long.MAX_VALUE);
        synchronized (this) {
            handlers.put(handler, service);
            serve(service);
        }
    }

    void removeHandler(ChannelHandler handler) {
        synchronized (this) {
            handlers.remove(handler);
            if (server != null) {
                server.removeHandler(handler);
            }
        }
    }

    private void serve(HandlerService service) {
        if (server != null && (service.endpoint() == null || service.endpoint().equals(settings.id()))) {
            server.addHandler(service.handler(), service.ranking(), service.order());
        }
    }

    // --- MessageSource ------------------------------------------------------------------------

    @Override
    public Subscription subscribe(MessageListener listener) {
        return publisher.subscribe(listener);
    }

    /** A client event a channel handled, on the client's thread: becomes a message on the source thread. */
    private void published(String connectionId, String topic, String event, JsonNode payload) {
        messagesIn.increment();
        publisher.publish(() -> message(connectionId, topic, event, payload));
    }

    /** On the source thread: the message, or null once the server is stopped. */
    private Message message(String connectionId, String topic, String event, JsonNode payload) {
        ChannelsServer running = server();
        if (running == null) {
            return null;
        }
        return Message.builder(id(), topic)
                .author(ChannelsCodec.author(payload, connectionId))
                .event(event)
                .text(ChannelsCodec.chatText(payload))
                .data(running.codec().toPlain(payload))
                .build();
    }

    // --- MessageSink --------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> send(Message message) {
        ChannelsServer running = server();
        if (running == null || !running.isListening()) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "offline: " + status.reason()));
        }
        Object payload = message.isChat() ? ChannelsCodec.chatPayload(message) : message.data();
        int reached;
        try {
            reached = running.deliver(message.channel(), message.event(), payload);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "cannot broadcast: " + e.getMessage(), e));
        }
        if (reached < 0) {
            return CompletableFuture.failedFuture(
                    new DeliveryException(id(), "no channel matches topic: " + message.channel()));
        }
        messagesOut.increment();
        LOG.debug("{}: broadcast {} on {} to {} subscribers", id(), message.event(), message.channel(), reached);
        return CompletableFuture.completedFuture(null);
    }

    // --- Endpoint -----------------------------------------------------------------------------

    @Override
    public synchronized String id() {
        return settings == null ? "" : settings.id();
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
        ChannelsServer running = server();
        if (running == null) {
            return new EndpointMetrics(messagesIn.sum(), messagesOut.sum(), 0, 0, publisher.dropped(), 0, Map.of());
        }
        ConnectionMetrics.Snapshot m = running.transportMetrics();
        return new EndpointMetrics(messagesIn.sum(), messagesOut.sum(), m.bytesIn(), m.bytesOut(),
                running.errors() + publisher.dropped(), 0, running.details());
    }
}
