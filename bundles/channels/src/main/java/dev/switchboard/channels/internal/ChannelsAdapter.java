package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.channels.ChannelHandler;
import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSupport;
import dev.switchboard.endpoint.Traffic;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * One configured channels endpoint: a {@link ChannelsServer} on the endpoint skeleton. Client
 * events a channel handled become messages; routed messages become broadcasts. Channel handler
 * services are picked up and dropped while the server runs. A clustered endpoint ({@code cluster =
 * true}) shares its topics with the endpoints of its id on the other nodes through the
 * {@link Cluster} service while there is one; its status says when the cluster is unavailable, while
 * it goes on delivering to its own clients.
 */
@Component(configurationPid = "dev.switchboard.channels", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = ChannelsConfig.class, factory = true)
public class ChannelsAdapter extends EndpointSupport<ChannelsSettings> {

    static final String PROTOCOL = "channels";

    private record HandlerService(ChannelHandler handler, String endpoint, int ranking, long order) {
    }

    @Reference
    private WebSocketTransport transport;

    private final Map<ChannelHandler, HandlerService> handlers = new ConcurrentHashMap<>();
    // written under this, read by client threads
    private volatile ChannelsServer server;
    // written under this, read by the cluster's threads
    private volatile Cluster cluster;
    // the run's link to the other nodes, guarded by this
    private ClusterTopics shared;
    private Subscription clusterWatch;

    public ChannelsAdapter() {
        super(PROTOCOL);
    }

    /** Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS. */
    ChannelsAdapter(WebSocketTransport transport) {
        this();
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, ChannelsConfig config) {
        activateEndpoint(context, config, ChannelsAdapter::settings);
    }

    @Modified
    void modified(ChannelsConfig config) {
        modifyEndpoint(config, ChannelsAdapter::settings);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    static ChannelsSettings settings(ChannelsConfig config) {
        ClusterTopics.Settings shared = new ClusterTopics.Settings(
                ConfigCheck.range("clusterStreamSize", config.clusterStreamSize(), 1, 1_000_000),
                Duration.ofSeconds(ConfigCheck.range("clusterStreamTtlSeconds", config.clusterStreamTtlSeconds(), 1,
                        31_536_000)));
        return new ChannelsSettings(ConfigCheck.notBlank("id", config.id()), config.enabled(),
                ConfigCheck.notBlank("host", config.host()), ConfigCheck.port("port", config.port(), true),
                config.path(), ConfigCheck.range("maxConnections", config.maxConnections(), 0, 1_000_000),
                ConfigCheck.range("maxFrameBytes", config.maxFrameBytes(), 1024, 16 << 20),
                ConfigCheck.range("historySize", config.historySize(), 0, 10_000),
                config.chatPatterns() == null ? List.of() : List.of(config.chatPatterns()),
                ConfigCheck.range("sendQueueLimit", config.sendQueueLimit(), 1, 1_000_000),
                Duration.ofSeconds(ConfigCheck.range("pingIntervalSeconds", config.pingIntervalSeconds(), 0, 3600)),
                config.compression(), config.cluster() ? shared : null);
    }

    // --- the protocol -------------------------------------------------------------------------

    /** Listens; a bind failure is an OFFLINE status with its reason (by the skeleton), never an exception out of DS. */
    @Override
    protected synchronized void startProtocol(ChannelsSettings settings) throws IOException {
        ChannelsServer next = new ChannelsServer(transport, settings, this::published);
        server = next;
        handlers.values().forEach(this::serve);
        try {
            next.start();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + settings.path()
                    + ": " + e.getMessage(), e);
        }
        share();
    }

    /** Closes every client, with 1001 on a restart (so they reconnect) and 1000 when removed, and releases the port. */
    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        unshare();
        ChannelsServer running = server;
        server = null;
        if (running != null) {
            running.stop(restarting ? 1001 : 1000, restarting ? "Server restarting" : "Server shutting down");
        }
    }

    @Override
    protected synchronized boolean applyLive(ChannelsSettings current, ChannelsSettings next) {
        return server != null && server.reconfigure(next);
    }

    /** The running server (tests, benchmarks). */
    ChannelsServer server() {
        return server;
    }

    // --- the cluster --------------------------------------------------------------------------

    @Reference(service = Cluster.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindCluster(Cluster joined) {
        unshare();
        cluster = joined;
        share();
    }

    synchronized void unbindCluster(Cluster left) {
        if (cluster == left) {
            unshare();
            cluster = null;
            share();
        }
    }

    /** Outside OSGi (tests): the cluster this endpoint shares its topics through, or null for none. */
    void cluster(Cluster joined) {
        if (joined == null) {
            unbindCluster(cluster);
        } else {
            bindCluster(joined);
        }
    }

    /** Shares the running server's topics when configured to and a cluster is there; reports the status either way. */
    private synchronized void share() {
        ChannelsServer running = server;
        ChannelsSettings settings = settings();
        if (running == null || settings == null) {
            return;
        }
        Cluster joined = cluster;
        if (settings.cluster() != null && joined != null && shared == null) {
            shared = joined.topics(settings.id(), settings.cluster(), running.sharedListener());
            running.share(shared);
            clusterWatch = joined.watchStatus(status -> reportStatus());
        }
        reportStatus();
    }

    private synchronized void unshare() {
        if (clusterWatch != null) {
            clusterWatch.close();
            clusterWatch = null;
        }
        if (shared != null) {
            ChannelsServer running = server;
            if (running != null) {
                running.share(null);
            }
            shared.close();
            shared = null;
        }
    }

    /** Listening, and for a clustered endpoint whether the cluster is there: it delivers locally either way. */
    private void reportStatus() {
        ChannelsServer running = server;
        ChannelsSettings settings = settings();
        if (running == null || settings == null) {
            return;
        }
        String listening = "listening on " + running.url();
        Cluster joined = cluster;
        if (settings.cluster() == null) {
            updateStatus(State.ONLINE, Detail.NONE, listening);
        } else if (joined == null) {
            updateStatus(State.ONLINE, Detail.CONFIGURATION_ERROR, listening
                    + "; cluster unavailable: no cluster configured (dev.switchboard.cluster)");
        } else {
            EndpointStatus status = joined.status();
            if (status.state() == State.ONLINE) {
                updateStatus(State.ONLINE, Detail.NONE, listening + ", shared as node " + joined.nodeId());
            } else {
                updateStatus(State.ONLINE, status.detail() == Detail.NONE ? Detail.COMMUNICATION_ERROR : status.detail(),
                        listening + "; cluster unavailable: " + status.reason());
            }
        }
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
            ChannelsServer running = server;
            if (running != null) {
                running.removeHandler(handler);
            }
        }
    }

    private void serve(HandlerService service) {
        ChannelsServer running = server;
        if (running != null && (service.endpoint() == null || service.endpoint().equals(id()))) {
            running.addHandler(service.handler(), service.ranking(), service.order());
        }
    }

    // --- messages in and out --------------------------------------------------------------------

    /** A client event a channel handled, on the client's thread: becomes a message on the source thread. */
    private void published(String connectionId, String topic, String event, JsonNode payload) {
        publish(() -> message(connectionId, topic, event, payload));
    }

    /** On the source thread: the message, or null once the server is stopped. */
    private Message message(String connectionId, String topic, String event, JsonNode payload) {
        ChannelsServer running = server;
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

    @Override
    protected CompletionStage<Void> deliver(Message message) {
        ChannelsServer running = server;
        if (running == null || !running.isListening()) {
            return CompletableFuture.failedFuture(new EndpointUnavailableException(id(), "not listening: "
                    + status().reason()));
        }
        Object payload = message.isChat() ? ChannelsCodec.chatPayload(message) : message.data();
        int reached = running.deliver(message.channel(), message.event(), payload);
        if (reached < 0) {
            return CompletableFuture.failedFuture(
                    new DeliveryException(id(), "no channel matches topic: " + message.channel()));
        }
        log.debug("{}: broadcast {} on {} to {} subscribers", id(), message.event(), message.channel(), reached);
        return CompletableFuture.completedFuture(null);
    }

    // --- counters ------------------------------------------------------------------------------

    @Override
    protected Traffic traffic() {
        ChannelsServer running = server;
        if (running == null) {
            return Traffic.NONE;
        }
        ConnectionMetrics.Snapshot m = running.transportMetrics();
        return new Traffic(m.bytesIn(), m.bytesOut(), running.errors(), 0);
    }

    @Override
    protected Map<String, Object> details() {
        ChannelsServer running = server;
        return running == null ? Map.of() : running.details();
    }
}
