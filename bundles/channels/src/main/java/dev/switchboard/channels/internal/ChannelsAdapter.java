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
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
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
    private final List<MessageListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private ChannelsServer server;
    private ChannelsServer.Settings settings;
    private ThreadPoolExecutor publisher;
    private ServiceRegistration<?> registration;
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
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(ENDPOINT_PROPERTY, id());
        properties.put(PROTOCOL_PROPERTY, PROTOCOL);
        registration = context.registerService(
                new String[] {Endpoint.class.getName(), MessageSource.class.getName(), MessageSink.class.getName()},
                this, properties);
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
        if (registration != null && !next.id().equals(previousId)) {
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put(ENDPOINT_PROPERTY, next.id());
            properties.put(PROTOCOL_PROPERTY, PROTOCOL);
            registration.setProperties(properties);
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework unregistered it first
            }
            registration = null;
        }
        stop();
    }

    /** Starts listening; a bind failure is an OFFLINE status with its reason and a log line, never an exception. */
    synchronized void start(ChannelsServer.Settings next) {
        settings = next;
        String id = next.id();
        publisher = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(SOURCE_QUEUE),
                r -> new Thread(r, "switchboard-channels-" + id + "-source"));
        publisher.allowCoreThreadTimeOut(true);
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
        if (publisher != null) {
            publisher.shutdown();
            publisher = null;
        }
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
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** A client event a channel handled, on the client's thread: becomes a message on the source thread. */
    private void published(String connectionId, String topic, String event, JsonNode payload) {
        messagesIn.increment();
        ThreadPoolExecutor executor = publisher;
        if (listeners.isEmpty() || executor == null) {
            return;
        }
        try {
            executor.execute(() -> emit(connectionId, topic, event, payload));
        } catch (RejectedExecutionException e) {
            dropped.increment();
            LOG.warn("{}: dropped {} on {}: listeners are {} messages behind", id(), event, topic, SOURCE_QUEUE);
        }
    }

    private void emit(String connectionId, String topic, String event, JsonNode payload) {
        ChannelsServer running = server();
        if (running == null) {
            return;
        }
        Message message = Message.builder(id(), topic)
                .author(ChannelsCodec.author(payload, connectionId))
                .event(event)
                .text(ChannelsCodec.chatText(payload))
                .data(running.codec().toPlain(payload))
                .build();
        for (MessageListener listener : listeners) {
            try {
                listener.onMessage(message);
            } catch (RuntimeException e) {
                LOG.warn("{}: listener failed on message {}: {}", id(), message.id(), e.toString());
            }
        }
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
            return new EndpointMetrics(messagesIn.sum(), messagesOut.sum(), 0, 0, dropped.sum(), 0, Map.of());
        }
        ConnectionMetrics.Snapshot m = running.transportMetrics();
        return new EndpointMetrics(messagesIn.sum(), messagesOut.sum(), m.bytesIn(), m.bytesOut(),
                running.errors() + dropped.sum(), 0, running.details());
    }
}
