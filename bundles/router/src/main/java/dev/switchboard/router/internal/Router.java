package dev.switchboard.router.internal;

import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.router.GatewayInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router without OSGi: gateways keyed by their configuration PID, and the sources and sinks
 * present, keyed by endpoint id. Sources and sinks may come and go in any order, before or after
 * the gateways that name them; a sink's messages wait in its queues while it is away. Public so
 * that it can run outside OSGi (benchmarks); the package stays private to the bundle.
 *
 * <p>Every source is subscribed to once; its messages are offered to every gateway, which keeps
 * those from its own publishing members. Routing runs on the source's thread and only enqueues.
 */
public final class Router implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** How long a sink may take to answer one send before the message counts as failed. */
    static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Duration sendTimeout;
    // read without the lock by routing threads; written under it
    private final Map<String, Gateway> gateways = new ConcurrentHashMap<>();
    // registration order: the newest registration of an endpoint's sink is the one used
    private final Map<String, List<MessageSink>> sinks = new HashMap<>();
    private final Map<MessageSink, String> sinkEndpoints = new IdentityHashMap<>();
    private final Map<MessageSource, SourceSubscription> sources = new IdentityHashMap<>();
    private boolean closed;

    public Router() {
        this(DEFAULT_SEND_TIMEOUT);
    }

    Router(Duration sendTimeout) {
        this.sendTimeout = sendTimeout;
    }

    /** Creates or live-updates the gateway configured under {@code pid}. */
    public synchronized void configure(String pid, GatewaySettings settings) {
        if (closed) {
            return;
        }
        gateways.computeIfAbsent(pid, key -> Gateway.start(key, sendTimeout, this::currentSink))
                .configure(settings, endpoint -> sourcePresent(endpoint) || sinks.containsKey(endpoint));
    }

    /** Removes the gateway configured under {@code pid}, discarding what it still holds. */
    public void remove(String pid) {
        Gateway gateway;
        synchronized (this) {
            gateway = gateways.remove(pid);
        }
        if (gateway != null) {
            int discarded = gateway.close();
            LOG.info("Gateway {} is removed{}", gateway.name(),
                    discarded == 0 ? "" : "; " + discarded + " queued messages discarded");
        }
    }

    public void sourceAdded(String endpoint, String protocol, MessageSource source) {
        if (endpoint == null || endpoint.isBlank()) {
            LOG.warn("Ignoring a MessageSource without the switchboard.endpoint property: {}", source);
            return;
        }
        SourceSubscription subscription = new SourceSubscription(endpoint, protocol == null ? "" : protocol);
        // outside the lock: the source runs its own code here
        try {
            subscription.subscribe(source);
        } catch (RuntimeException e) {
            LOG.warn("Source {} refused a subscription, its messages are not routed: {}", endpoint, e.toString());
            return;
        }
        synchronized (this) {
            if (!closed) {
                sources.put(source, subscription);
                LOG.info("Source {} ({}) is present", endpoint, subscription.protocol);
                return;
            }
        }
        subscription.close();
    }

    public void sourceRemoved(MessageSource source) {
        SourceSubscription subscription;
        synchronized (this) {
            subscription = sources.remove(source);
        }
        if (subscription != null) {
            subscription.close();
            LOG.info("Source {} is gone", subscription.endpoint);
        }
    }

    public synchronized void sinkAdded(String endpoint, MessageSink sink) {
        if (endpoint == null || endpoint.isBlank()) {
            LOG.warn("Ignoring a MessageSink without the switchboard.endpoint property: {}", sink);
            return;
        }
        if (closed || sinkEndpoints.putIfAbsent(sink, endpoint) != null) {
            return;
        }
        sinks.computeIfAbsent(endpoint, key -> new ArrayList<>()).add(sink);
        LOG.info("Sink {} is present", endpoint);
        gateways.values().forEach(gateway -> gateway.sinkChanged(endpoint, sink));
    }

    public synchronized void sinkRemoved(MessageSink sink) {
        String endpoint = sinkEndpoints.remove(sink);
        if (endpoint == null) {
            return;
        }
        List<MessageSink> registered = sinks.get(endpoint);
        registered.remove(sink);
        if (registered.isEmpty()) {
            sinks.remove(endpoint);
        }
        MessageSink current = currentSink(endpoint);
        LOG.info("Sink {} is {}", endpoint, current == null ? "gone: its messages are queued until it returns"
                : "replaced by another registration");
        gateways.values().forEach(gateway -> gateway.sinkChanged(endpoint, current));
    }

    public synchronized List<GatewayInfo> gateways() {
        return gateways.values().stream()
                .map(gateway -> gateway.info(this::sourcePresent, sinks::containsKey))
                .sorted(Comparator.comparing(GatewayInfo::name).thenComparing(GatewayInfo::pid))
                .toList();
    }

    /** The gateway configured under {@code pid}, for tests. */
    Gateway gateway(String pid) {
        return gateways.get(pid);
    }

    /** Unsubscribes from every source and ends every delivery thread. */
    @Override
    public void close() {
        List<Gateway> closing;
        List<SourceSubscription> subscriptions;
        synchronized (this) {
            closed = true;
            closing = new ArrayList<>(gateways.values());
            gateways.clear();
            subscriptions = new ArrayList<>(sources.values());
            sources.clear();
            sinks.clear();
            sinkEndpoints.clear();
        }
        subscriptions.forEach(SourceSubscription::close);
        int discarded = closing.stream().mapToInt(Gateway::close).sum();
        LOG.info("Router stopped{}", discarded == 0 ? "" : "; " + discarded + " queued messages discarded");
    }

    private MessageSink currentSink(String endpoint) {
        List<MessageSink> registered = sinks.get(endpoint);
        return registered == null ? null : registered.get(registered.size() - 1);
    }

    private boolean sourcePresent(String endpoint) {
        return sources.values().stream().anyMatch(s -> s.endpoint.equals(endpoint));
    }

    private void dispatch(String endpoint, String protocol, Message message) {
        if (message == null) {
            LOG.warn("Source {} published a null message; ignored", endpoint);
            return;
        }
        for (Gateway gateway : gateways.values()) {
            try {
                gateway.route(endpoint, protocol, message);
            } catch (RuntimeException e) {
                // one gateway's trouble must not stop the others or the source's thread
                LOG.error("Gateway {} failed to route message {} from {}", gateway.name(), message.id(), endpoint, e);
            }
        }
    }

    /** The router's one listener on one source service. */
    private final class SourceSubscription implements MessageListener {
        private final String endpoint;
        private final String protocol;
        private volatile boolean open = true;
        private Subscription subscription;

        SourceSubscription(String endpoint, String protocol) {
            this.endpoint = endpoint;
            this.protocol = protocol;
        }

        void subscribe(MessageSource source) {
            subscription = source.subscribe(this);
        }

        @Override
        public void onMessage(Message message) {
            // a source that calls after close is ignored rather than routed
            if (open) {
                dispatch(endpoint, protocol, message);
            }
        }

        void close() {
            open = false;
            if (subscription == null) {
                return;
            }
            try {
                subscription.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing the subscription to source {} failed: {}", endpoint, e.toString());
            }
        }
    }
}
