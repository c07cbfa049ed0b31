package dev.switchboard.router.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.GatewayRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one router of the framework: tracks every {@link MessageSource}, {@link MessageSink} and
 * {@link Endpoint} by their {@value Endpoint#ENDPOINT_PROPERTY} property as they come, go and are
 * renamed, and takes gateway configurations from {@link GatewayComponent}s. Also publishes the
 * read-only {@link GatewayRegistry}.
 *
 * <p>Its own update loses nothing: it routes only once every gateway configuration known to
 * Config Admin is applied (or after {@link #OPEN_TIMEOUT}); until then the sources hold their
 * messages. When it stops it delivers what it can within {@link #DRAIN_GRACE} and keeps the rest
 * in its bundle's data folder for the next router.
 */
@Component(service = {GatewayRegistry.class, RouterComponent.class}, immediate = true)
public class RouterComponent implements GatewayRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(RouterComponent.class);
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DRAIN_GRACE = Duration.ofSeconds(5);
    private static final String HELD_FILE = "held-messages.bin";

    // created with the component instance: DS binds references before activation
    private final Router router = new Router(Router.DEFAULT_SEND_TIMEOUT, false);
    private final Set<String> pendingGateways = ConcurrentHashMap.newKeySet();
    private final CountDownLatch allConfigured = new CountDownLatch(1);
    private Path heldFile;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL)
    private volatile ConfigurationAdmin configAdmin;

    @Activate
    void activate(BundleContext context) {
        File data = context.getDataFile(HELD_FILE);
        heldFile = data == null ? null : data.toPath();
        if (heldFile != null) {
            try {
                router.restore(HeldMessages.take(heldFile));
            } catch (IOException e) {
                LOG.error("Messages the previous router left in {} cannot be read and are lost: {}", heldFile,
                        e.getMessage());
            }
        }
        pendingGateways.addAll(gatewayPids());
        if (pendingGateways.isEmpty()) {
            router.open();
            return;
        }
        Thread opener = new Thread(this::openWhenConfigured, "switchboard-router-opening");
        opener.setDaemon(true);
        opener.start();
    }

    private void openWhenConfigured() {
        try {
            if (!allConfigured.await(OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Gateways {} are not configured after {} s; routing without them", pendingGateways,
                        OPEN_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        router.open();
    }

    private Set<String> gatewayPids() {
        ConfigurationAdmin admin = configAdmin;
        if (admin == null) {
            return Set.of();
        }
        try {
            Configuration[] configurations = admin.listConfigurations(
                    "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + GatewayComponent.FACTORY_PID + ")");
            if (configurations == null) {
                return Set.of();
            }
            Set<String> pids = ConcurrentHashMap.newKeySet();
            for (Configuration configuration : configurations) {
                pids.add(configuration.getPid());
            }
            return pids;
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("Cannot list gateway configurations; routing at once: {}", e.toString());
            return Set.of();
        }
    }

    @Reference(name = "source", service = MessageSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeSource", updated = "updatedSource")
    void addSource(MessageSource source, Map<String, Object> properties) {
        router.sourceAdded(property(properties, Endpoint.ENDPOINT_PROPERTY),
                property(properties, Endpoint.PROTOCOL_PROPERTY), source);
    }

    void updatedSource(MessageSource source, Map<String, Object> properties) {
        router.sourceUpdated(property(properties, Endpoint.ENDPOINT_PROPERTY),
                property(properties, Endpoint.PROTOCOL_PROPERTY), source);
    }

    void removeSource(MessageSource source) {
        router.sourceRemoved(source);
    }

    @Reference(name = "sink", service = MessageSink.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeSink", updated = "updatedSink")
    void addSink(MessageSink sink, Map<String, Object> properties) {
        router.sinkAdded(property(properties, Endpoint.ENDPOINT_PROPERTY), sink);
    }

    void updatedSink(MessageSink sink, Map<String, Object> properties) {
        router.sinkUpdated(property(properties, Endpoint.ENDPOINT_PROPERTY), sink);
    }

    void removeSink(MessageSink sink) {
        router.sinkRemoved(sink);
    }

    @Reference(name = "endpoint", service = Endpoint.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeEndpoint", updated = "updatedEndpoint")
    void addEndpoint(Endpoint endpoint) {
        router.endpointAdded(endpoint);
    }

    void updatedEndpoint(Endpoint endpoint) {
        router.endpointsChanged();
    }

    void removeEndpoint(Endpoint endpoint) {
        router.endpointRemoved(endpoint);
    }

    @Deactivate
    void deactivate() {
        allConfigured.countDown();
        Map<String, Map<String, List<Message>>> left = router.drainAndClose(DRAIN_GRACE);
        int count = left.values().stream().flatMap(q -> q.values().stream()).mapToInt(List::size).sum();
        if (count == 0) {
            LOG.info("Router stopped; nothing left undelivered");
            return;
        }
        if (heldFile != null) {
            try {
                HeldMessages.save(heldFile, left);
                LOG.info("Router stopped; {} undelivered messages kept for the next router", count);
                return;
            } catch (IOException e) {
                LOG.error("Router stopped; {} undelivered messages cannot be kept and are dropped: {}", count,
                        e.toString());
                return;
            }
        }
        LOG.warn("Router stopped; {} undelivered messages dropped (no data folder to keep them)", count);
    }

    @Override
    public List<GatewayInfo> gateways() {
        return router.gateways();
    }

    void configure(String pid, GatewaySettings settings) {
        router.configure(pid, settings);
        if (pendingGateways.remove(pid) && pendingGateways.isEmpty()) {
            allConfigured.countDown();
        }
    }

    void remove(String pid) {
        router.remove(pid);
    }

    private static String property(Map<String, Object> properties, String key) {
        return properties.get(key) instanceof String value ? value : null;
    }
}
