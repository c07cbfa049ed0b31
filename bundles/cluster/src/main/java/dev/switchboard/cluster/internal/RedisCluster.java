package dev.switchboard.cluster.internal;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Subscription;
import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterLeases;
import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.api.cluster.ClusterUnavailableException;
import dev.switchboard.transport.Backoff;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership of a cluster through Redis, for PID {@code dev.switchboard.cluster}.
 * Without that configuration the component does not exist and every node runs alone. Activation
 * opens nothing on the network: the prober connects on its own thread and the status says how it
 * goes. A configuration edit restarts the component, and with it every clustered endpoint's link.
 */
@Component(configurationPid = "dev.switchboard.cluster", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {Cluster.class, ClusterLeases.class})
@Designate(ocd = ClusterConfig.class)
public class RedisCluster implements Cluster, ClusterLeases {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);
    /**
     * Back to Redis within 5 s of its return: every second a node stays away after that is more of
     * the streams to read, and more published past what they keep (the transport's 30 s cap would
     * leave a node out for up to half a minute after a short outage).
     */
    private static final Backoff RECONNECT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5), 0.2);

    /** Where a generated node id is kept in the bundle's data area. */
    static final String NODE_ID_FILE = "node-id";

    private String nodeId;
    private RedisConnection redis;
    private RedisLeases leases;
    /** Shared topics not closed yet: closed with the component, whose connection they use. */
    private final Set<RedisTopics> open = ConcurrentHashMap.newKeySet();

    @Activate
    void activate(BundleContext context, ClusterConfig config) {
        RedisSettings settings;
        try {
            settings = RedisSettings.of(config.redisUrl(), config.password(), config.keyPrefix(),
                    Duration.ofMillis(Math.max(100, config.timeoutMillis())));
        } catch (IllegalArgumentException e) {
            LOG.warn("cluster: invalid configuration: {}", e.getMessage());
            throw e;
        }
        String configured = config.nodeId() == null ? "" : config.nodeId().trim();
        start(settings, configured.isEmpty() ? keptNodeId(context.getDataFile(NODE_ID_FILE)) : configured);
    }

    /** Outside OSGi (tests): what activate does with settings read already. */
    void start(RedisSettings settings, String node) {
        nodeId = node;
        redis = new RedisConnection(settings, RECONNECT);
        leases = new RedisLeases(redis, nodeId);
        LOG.info("cluster: node {} joining through {}", nodeId, settings.address());
        redis.start();
    }

    @Deactivate
    void deactivate() {
        List.copyOf(open).forEach(RedisTopics::close);
        redis.close();
        LOG.info("cluster: node {} left", nodeId);
    }

    /** The node id kept in {@code file}, generated and written there the first time. */
    static String keptNodeId(File file) {
        try {
            if (file != null && file.isFile()) {
                String kept = Files.readString(file.toPath(), StandardCharsets.UTF_8).trim();
                if (!kept.isEmpty()) {
                    return kept;
                }
            }
            String generated = "node-" + UUID.randomUUID().toString().substring(0, 8);
            if (file != null) {
                Files.writeString(file.toPath(), generated + "\n", StandardCharsets.UTF_8);
            }
            return generated;
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the node id in " + file + ": " + e.getMessage(), e);
        }
    }

    // --- Cluster ------------------------------------------------------------------------------

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public EndpointStatus status() {
        return redis.status();
    }

    @Override
    public Subscription watchStatus(Consumer<EndpointStatus> listener) {
        return redis.watch(listener);
    }

    @Override
    public ClusterTopics topics(String namespace, ClusterTopics.Settings settings, ClusterTopics.Listener listener) {
        RedisTopics[] joined = new RedisTopics[1];
        joined[0] = new RedisTopics(redis, nodeId, namespace, settings, listener, () -> open.remove(joined[0]));
        open.add(joined[0]);
        LOG.info("cluster: node {} shares the topics of {}", nodeId, namespace);
        return joined[0];
    }

    // --- ClusterLeases ------------------------------------------------------------------------

    @Override
    public Lease acquire(String name, Duration ttl) throws ClusterUnavailableException {
        return leases.acquire(name, ttl);
    }

    @Override
    public Lease renew(String name, Duration ttl) throws ClusterUnavailableException {
        return leases.renew(name, ttl);
    }

    @Override
    public void release(String name) throws ClusterUnavailableException {
        leases.release(name);
    }
}
