package dev.switchboard.router.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
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
 *
 * <p>Nothing is lost across the router's own restart: a router created closed for routing
 * subscribes to no source until {@link #open()} (the gateways are configured by then; meanwhile
 * the sources hold their messages), takes back what the previous router left
 * ({@link #restore}), and on {@link #drainAndClose} delivers what it can and hands back the rest.
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
    // every Endpoint service and the watch on its status; ids are read when needed, so renames are seen
    private final Map<Endpoint, Subscription> endpoints = new IdentityHashMap<>();
    private final Map<String, Map<String, List<Message>>> restored = new HashMap<>();
    private boolean open;
    private boolean closed;

    /** A router that routes at once (tests, benchmarks). */
    public Router() {
        this(DEFAULT_SEND_TIMEOUT, true);
    }

    Router(Duration sendTimeout) {
        this(sendTimeout, true);
    }

    /** @param openNow false: subscribe to sources only at {@link #open()}, once the gateways are configured */
    Router(Duration sendTimeout, boolean openNow) {
        this.sendTimeout = sendTimeout;
        this.open = openNow;
    }

    /** Creates or live-updates the gateway configured under {@code pid}. */
    public synchronized void configure(String pid, GatewaySettings settings) {
        if (closed) {
            return;
        }
        Gateway gateway = gateways.get(pid);
        if (gateway == null) {
            gateway = Gateway.start(pid, sendTimeout, this::currentSink);
            gateway.endpointsChanged(this::endpoint);
            gateways.put(pid, gateway);
            gateway.configure(settings, endpoint -> sourcePresent(endpoint) || sinks.containsKey(endpoint));
            Map<String, List<Message>> left = restored.remove(pid);
            if (left != null) {
                int count = gateway.restore(left);
                LOG.info("Gateway {} takes back {} messages the previous router could not deliver", gateway.name(),
                        count);
            }
            return;
        }
        gateway.configure(settings, endpoint -> sourcePresent(endpoint) || sinks.containsKey(endpoint));
    }

    /** Messages a previous router could not deliver, by gateway PID and destination: queued first when each gateway is configured. */
    synchronized void restore(Map<String, Map<String, List<Message>>> left) {
        restored.putAll(left);
    }

    /** Starts routing: subscribes to every source present (their held messages follow). Idempotent. */
    public void open() {
        List<SourceSubscription> waiting;
        synchronized (this) {
            if (open || closed) {
                return;
            }
            open = true;
            waiting = new ArrayList<>(sources.values());
            if (!restored.isEmpty()) {
                int count = restored.values().stream().flatMap(q -> q.values().stream()).mapToInt(List::size).sum();
                LOG.warn("{} messages the previous router left for gateways {} are dropped: those gateways are no"
                        + " longer configured", count, restored.keySet());
                restored.clear();
            }
        }
        waiting.forEach(this::subscribe);
        LOG.info("Router is routing: {} sources, {} gateways", waiting.size(), gateways.size());
    }

    /** Whether {@link #open()} was called. */
    synchronized boolean isOpen() {
        return open;
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
        SourceSubscription subscription = new SourceSubscription(endpoint, protocol == null ? "" : protocol, source);
        boolean now;
        synchronized (this) {
            if (closed) {
                return;
            }
            sources.put(source, subscription);
            now = open;
        }
        LOG.info("Source {} ({}) is present", endpoint, subscription.protocol);
        if (now) {
            subscribe(subscription);
        }
    }

    /** Outside the lock: the source runs its own code here. */
    private void subscribe(SourceSubscription subscription) {
        try {
            subscription.subscribe();
        } catch (RuntimeException e) {
            synchronized (this) {
                sources.remove(subscription.source, subscription);
            }
            LOG.warn("Source {} refused a subscription, its messages are not routed: {}", subscription.endpoint,
                    e.toString());
        }
    }

    /** The source's service properties changed (its endpoint was renamed): routed under the new id from now on. */
    public void sourceUpdated(String endpoint, String protocol, MessageSource source) {
        sourceRemoved(source);
        sourceAdded(endpoint, protocol, source);
    }

    /** The sink's service properties changed (its endpoint was renamed): its queues are the new id's from now on. */
    public void sinkUpdated(String endpoint, MessageSink sink) {
        sinkRemoved(sink);
        sinkAdded(endpoint, sink);
    }

    /** An {@link Endpoint} service came: its status events tell queues told "not now" when to send again. */
    public void endpointAdded(Endpoint endpoint) {
        Subscription watch;
        try {
            watch = endpoint.watchStatus((changed, status) -> {
                if (status.state() == EndpointStatus.State.ONLINE) {
                    endpointOnline(changed.id());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Cannot watch the status of an endpoint: {}", e.toString());
            return;
        }
        synchronized (this) {
            if (closed) {
                watch.close();
                return;
            }
            endpoints.put(endpoint, watch);
        }
        endpointsChanged();
        // online before its status could be watched: no event will say so
        if (endpoint.status().state() == EndpointStatus.State.ONLINE) {
            endpointOnline(endpoint.id());
        }
    }

    public void endpointRemoved(Endpoint endpoint) {
        Subscription watch;
        synchronized (this) {
            watch = endpoints.remove(endpoint);
        }
        if (watch != null) {
            watch.close();
            endpointsChanged();
        }
    }

    /** An endpoint was renamed, came or went: members are spelt again by the endpoints present. */
    public void endpointsChanged() {
        gateways.values().forEach(gateway -> gateway.endpointsChanged(this::endpoint));
    }

    private void endpointOnline(String endpoint) {
        gateways.values().forEach(gateway -> gateway.endpointOnline(endpoint));
    }

    /** The Endpoint service whose id is {@code id} now, or null. */
    private synchronized Endpoint endpoint(String id) {
        for (Endpoint endpoint : endpoints.keySet()) {
            try {
                if (id.equals(endpoint.id())) {
                    return endpoint;
                }
            } catch (RuntimeException e) {
                // an adapter's bug: that endpoint spells nothing
            }
        }
        return null;
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

    /** Unsubscribes from every source and ends every delivery thread, discarding (and counting) what is queued. */
    @Override
    public void close() {
        int discarded = stop(Duration.ZERO).values().stream().flatMap(q -> q.values().stream())
                .mapToInt(List::size).sum();
        LOG.info("Router stopped{}", discarded == 0 ? "" : "; " + discarded + " queued messages discarded");
    }

    /**
     * Stops routing without losing what it holds: unsubscribes from every source (they hold what
     * comes next for the next router), lets each gateway deliver to the sinks present for up to
     * {@code grace}, and returns what is still queued, by gateway PID and destination, for the next
     * router.
     */
    public Map<String, Map<String, List<Message>>> drainAndClose(Duration grace) {
        return stop(grace);
    }

    private Map<String, Map<String, List<Message>>> stop(Duration grace) {
        List<Gateway> closing;
        List<SourceSubscription> subscriptions;
        List<Subscription> watches;
        synchronized (this) {
            closed = true;
            closing = new ArrayList<>(gateways.values());
            subscriptions = new ArrayList<>(sources.values());
            sources.clear();
            watches = new ArrayList<>(endpoints.values());
            endpoints.clear();
        }
        subscriptions.forEach(SourceSubscription::close);
        watches.forEach(Subscription::close);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Gateway gateway : closing) {
            gateway.awaitDrained(deadline);
        }
        Map<String, Map<String, List<Message>>> left = new HashMap<>();
        for (Gateway gateway : closing) {
            Map<String, List<Message>> queued = gateway.closeAndTake();
            if (!queued.isEmpty()) {
                left.put(gateway.pid(), queued);
            }
        }
        synchronized (this) {
            gateways.clear();
            sinks.clear();
            sinkEndpoints.clear();
        }
        return left;
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
        private final MessageSource source;
        private volatile boolean open = true;
        private Subscription subscription;

        SourceSubscription(String endpoint, String protocol, MessageSource source) {
            this.endpoint = endpoint;
            this.protocol = protocol;
            this.source = source;
        }

        synchronized void subscribe() {
            if (open && subscription == null) {
                subscription = source.subscribe(this);
            }
        }

        @Override
        public void onMessage(Message message) {
            // a source that calls after close is ignored rather than routed
            if (open) {
                dispatch(endpoint, protocol, message);
            }
        }

        synchronized void close() {
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
