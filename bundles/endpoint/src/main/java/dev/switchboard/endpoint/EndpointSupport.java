package dev.switchboard.endpoint;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointPanel;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointStatusListener;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterLeases;
import dev.switchboard.endpoint.internal.ClusterTracker;
import dev.switchboard.endpoint.internal.EndpointRegistration;
import dev.switchboard.endpoint.internal.MessagePublisher;
import dev.switchboard.endpoint.internal.PendingTasks;
import dev.switchboard.endpoint.internal.SingletonLease;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of every adapter's endpoint: one configured instance of a protocol, registered as its
 * {@link Endpoint}, {@link MessageSource} and {@link MessageSink} services. A subclass is the
 * adapter's DS component; it holds only its protocol:
 * <ul>
 *   <li>its {@code @Activate}, {@code @Modified} and {@code @Deactivate} methods call
 *       {@link #activateEndpoint}, {@link #modifyEndpoint} and {@link #deactivateEndpoint} with its Metatype
 *       configuration and a function that turns it into settings (checked with
 *       {@link ConfigCheck});</li>
 *   <li>{@link #startProtocol} starts connecting or listening and returns at once;
 *       {@link #stopProtocol} closes every socket and thread it opened; {@link #applyLive} says
 *       what a configuration edit may change without a restart;</li>
 *   <li>{@link #deliver} sends a routed message; {@link #publish} hands what arrived to the
 *       router;</li>
 *   <li>a client adapter's form declares {@code clusterSingleton} ({@link #SINGLETON_NAME}): when it is
 *       on, the skeleton runs the protocol only while this node holds the endpoint's cluster lease
 *       and keeps it on standby otherwise, forwarding routed messages to the holder;</li>
 *   <li>it reports its state with {@link #updateStatus} and its counters with {@link #traffic}
 *       and {@link #details}; consoles show the details as tables ({@link #tables}, which an
 *       adapter may override to show them its own way).</li>
 * </ul>
 * The skeleton turns every failure into a status with a reason: a configuration value that cannot
 * work (unreadable, out of range) is {@code OFFLINE} / {@code CONFIGURATION_ERROR} with one WARN
 * line, a protocol that cannot start is {@code OFFLINE} with one ERROR line, and no exception
 * leaves a DS method. Status changes go to {@link #watchStatus} listeners. Counters go on across
 * configuration edits and start again with a new activation.
 *
 * @param <S> the adapter's settings
 */
public abstract class EndpointSupport<S extends EndpointSettings>
        implements Endpoint, MessageSource, MessageSink, EndpointPanel {

    /** Messages waiting for the source's listeners before new ones are dropped (and counted as errors). */
    public static final int SOURCE_QUEUE = 10_000;

    /** The Metatype name of {@code boolean clusterSingleton() default false}, the key every client adapter has. */
    public static final String SINGLETON_NAME = "Cluster singleton";
    /** The Metatype description of {@code clusterSingleton}. */
    public static final String SINGLETON_DESCRIPTION = "On: of the nodes of a cluster that all have this endpoint, "
            + "only the one holding its cluster lease runs it; the others stand by and take over within 10 s when "
            + "that node goes. Needs the cluster configured and reachable: until then the endpoint does not start.";

    /** The adapter's logger, named after its class. */
    protected final Logger log = LoggerFactory.getLogger(getClass());

    private final String protocol;
    private final MessagePublisher publisher;
    private final Instant countersSince = Instant.now();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder failedSends = new LongAdder();
    private final List<EndpointStatusListener> statusListeners = new CopyOnWriteArrayList<>();
    private final PendingTasks scheduled = new PendingTasks();
    private final Object statusLock = new Object();

    // lifecycle state, guarded by this
    private EndpointRegistration registration;
    private S settings;
    private Traffic carried = Traffic.NONE;
    private boolean clusterSingleton;
    private Supplier<ClusterLeases> clusterLeases = () -> null;
    private Supplier<Cluster> cluster = () -> null;
    private SingletonLease.Timing leaseTiming = SingletonLease.Timing.STANDARD;
    private ClusterTracker clusterTracker;
    // written under this, read by the sink
    private volatile SingletonLease lease;
    // written under this, read by any thread
    private volatile String id;
    private volatile boolean running;
    private volatile EndpointStatus status = EndpointStatus.offline(Detail.STOPPED, "not started");

    protected EndpointSupport(String protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.publisher = new MessagePublisher(protocol, SOURCE_QUEUE);
        this.id = protocol;
    }

    // --- what the adapter implements ----------------------------------------------------------

    /**
     * Starts the protocol with {@code settings}: begins connecting or listening and returns at once,
     * never waiting on the network. Reports progress with {@link #updateStatus}. An
     * {@link IllegalArgumentException} means the settings cannot work ({@code CONFIGURATION_ERROR});
     * any other exception that the protocol could not start ({@code COMMUNICATION_ERROR}); either
     * way {@link #stopProtocol} is called to release what was opened.
     */
    protected abstract void startProtocol(S settings) throws Exception;

    /**
     * Closes every connection, socket and thread the protocol opened. {@code restarting} is true
     * when the endpoint starts again at once (a configuration edit), false when it goes away
     * (removed, disabled, its bundle stopping). Must not throw and never waits long.
     */
    protected abstract void stopProtocol(boolean restarting);

    /**
     * Sends a routed message into the protocol. Runs only while the protocol runs; returns a stage
     * as {@link MessageSink#send} describes: an {@link EndpointUnavailableException} for "not now",
     * another {@link DeliveryException} for "never".
     */
    protected abstract CompletionStage<Void> deliver(Message message);

    /**
     * Applies a configuration edit to the running protocol without a restart, when the protocol
     * allows it for what changed; returns false (the default) to be restarted with {@code next}.
     * Called only with the same endpoint id.
     */
    protected boolean applyLive(S current, S next) {
        return false;
    }

    /** The protocol's counters for the run in progress; thread-safe and cheap. */
    protected Traffic traffic() {
        return Traffic.NONE;
    }

    /** Protocol figures for consoles (connections, rooms, topics, …): JSON-compatible values. */
    protected Map<String, Object> details() {
        return Map.of();
    }

    // --- lifecycle, called by the adapter's DS methods ------------------------------------------

    /**
     * Starts from {@code config} and registers the endpoint's services. A configuration that cannot
     * be read or cannot work registers them anyway, {@code OFFLINE} with the reason.
     */
    protected final synchronized <C extends Annotation> void activateEndpoint(BundleContext context, C config,
                                                                               Function<C, S> settingsOf) {
        clusterTracker = new ClusterTracker(context);
        clusterLeases = clusterTracker::leases;
        cluster = clusterTracker::cluster;
        configure(config, settingsOf, false);
        registration = EndpointRegistration.register(context, this, id, protocol);
    }

    /** Applies a configuration edit: live where {@link #applyLive} allows, otherwise by a restart. */
    protected final synchronized <C extends Annotation> void modifyEndpoint(C config, Function<C, S> settingsOf) {
        configure(config, settingsOf, true);
        if (registration != null) {
            registration.rename(id);
        }
    }

    /**
     * Stops the protocol, hands every message it received to the source's listeners (the router,
     * still subscribed), then unregisters the services: an endpoint that goes away (its bundle
     * updated) loses nothing it accepted.
     */
    protected final synchronized void deactivateEndpoint() {
        stop();
        if (registration != null) {
            registration.close();
            registration = null;
        }
        if (clusterTracker != null) {
            clusterTracker.close();
            clusterTracker = null;
        }
    }

    /** Starts (or restarts) the protocol with {@code next}: outside OSGi, tests and benchmarks call this. */
    public final synchronized void start(S next) {
        Objects.requireNonNull(next, "settings");
        // a singleton keeps its lease through a restart under the same id
        boolean keepLease = clusterSingleton && next.enabled() && lease != null && next.id().equals(id);
        // switched off is a removal for the peers (1000), anything else a restart (1001)
        end(next.enabled(), keepLease);
        settings = next;
        id = next.id();
        publisher.start(id);
        if (!next.enabled()) {
            setStatus(EndpointStatus.offline(Detail.DISABLED, "disabled in its configuration"));
            log.info("{}: disabled in its configuration", id);
            return;
        }
        if (clusterSingleton) {
            if (!keepLease) {
                setStatus(EndpointStatus.connecting(Detail.STANDBY, "standby: trying to take the cluster lease"));
                lease = SingletonLease.start(protocol, id, clusterLeases, cluster, leaseTiming, new Standby());
            } else if (lease.holding()) {
                launchHolding(lease);
            }
            return;
        }
        launch(next);
    }

    /** As {@link #start}, as a cluster singleton in the cluster {@code leases} and {@code topics} give (null: none): tests. */
    final synchronized void startSingleton(S next, Supplier<ClusterLeases> leases, Supplier<Cluster> topics,
                                           SingletonLease.Timing timing) {
        clusterSingleton = true;
        clusterLeases = Objects.requireNonNull(leases, "leases");
        cluster = Objects.requireNonNull(topics, "topics");
        leaseTiming = Objects.requireNonNull(timing, "timing");
        start(next);
    }

    /** Runs the protocol; a singleton's only while it holds the lease. */
    private void launch(S next) {
        running = true;
        setStatus(EndpointStatus.connecting("starting"));
        try {
            startProtocol(next);
        } catch (IllegalArgumentException e) {
            failToStart(Detail.CONFIGURATION_ERROR, "invalid configuration: " + describe(e));
        } catch (Exception e) {
            failToStart(Detail.COMMUNICATION_ERROR, describe(e));
        }
    }

    /** Stops the protocol for good (until the next {@link #start}): outside OSGi, tests call this. */
    public final synchronized void stop() {
        end(false, false);
        setStatus(EndpointStatus.offline(Detail.STOPPED, "stopped"));
    }

    /** The settings in use, or null before the first valid configuration. */
    protected final synchronized S settings() {
        return settings;
    }

    /** True while the protocol runs (between a successful {@link #startProtocol} and {@link #stopProtocol}). */
    protected final boolean running() {
        return running;
    }

    private <C extends Annotation> void configure(C config, Function<C, S> settingsOf, boolean edit) {
        S next;
        boolean singleton;
        try {
            next = Objects.requireNonNull(settingsOf.apply(config), "no settings");
            ConfigCheck.notBlank("id", next.id());
            singleton = singletonIn(config);
        } catch (RuntimeException e) {
            end(true, false);
            id = fallbackId(config);
            setStatus(EndpointStatus.offline(Detail.CONFIGURATION_ERROR,
                    "invalid configuration: " + unreadable(config, e)));
            log.warn("{}: {}", id, status.reason());
            return;
        }
        boolean wasSingleton = clusterSingleton;
        clusterSingleton = singleton;
        if (edit && running && next.enabled() && next.id().equals(id) && singleton == wasSingleton) {
            try {
                if (applyLive(settings, next)) {
                    settings = next;
                    log.info("{}: reconfigured without restart", id);
                    return;
                }
            } catch (RuntimeException e) {
                log.warn("{}: live reconfiguration failed, restarting: {}", id, describe(e));
            }
        }
        start(next);
    }

    private void failToStart(Detail detail, String reason) {
        // a singleton that cannot start gives up its lease: another node may be able to
        end(true, false);
        setStatus(EndpointStatus.offline(detail, reason));
        if (detail == Detail.CONFIGURATION_ERROR) {
            log.warn("{}: {}", id, reason);
        } else {
            log.error("{}: {}", id, reason);
        }
    }

    /**
     * Cancels the run's timers, stops the protocol keeping its counters, gives up the cluster lease
     * unless {@code keepLease}, stops the source thread.
     */
    private void end(boolean restarting, boolean keepLease) {
        endRun(restarting);
        if (!keepLease && lease != null) {
            lease.close();
            lease = null;
        }
        publisher.stop();
    }

    /** Cancels the run's timers and stops the protocol, keeping its counters. */
    private void endRun(boolean restarting) {
        scheduled.cancelAll();
        if (running) {
            running = false;
            carried = carried.plus(safeTraffic());
            try {
                stopProtocol(restarting);
            } catch (RuntimeException e) {
                log.warn("{}: stopping failed: {}", id, describe(e));
            }
        }
    }

    // --- cluster singleton ------------------------------------------------------------------

    /** What the lease does to the endpoint, on the lease's thread; a lease the endpoint has let go of is ignored. */
    private final class Standby implements SingletonLease.Host {

        @Override
        public void takeOver(SingletonLease by) {
            synchronized (EndpointSupport.this) {
                if (lease == by && !running && settings != null) {
                    launchHolding(by);
                }
            }
        }

        @Override
        public void standBy(SingletonLease by, EndpointStatus why) {
            synchronized (EndpointSupport.this) {
                if (lease != by) {
                    return;
                }
                endRun(true);
                setStatus(why);
            }
        }

        @Override
        public CompletionStage<Void> deliver(Message forwarded) {
            return send(forwarded);
        }
    }

    /** Runs the protocol of a singleton that holds {@code by}, checking that the lease is renewed in time. */
    private void launchHolding(SingletonLease by) {
        launch(settings);
        if (running) {
            repeat(by.timing().poll().dividedBy(2), () -> stepDownIfOverdue(by));
        }
    }

    /** A holder that could not renew stops its protocol before the lease lapses and another node takes over. */
    private void stepDownIfOverdue(SingletonLease by) {
        if (by.stepDownIfOverdue()) {
            log.warn("{}: the cluster lease was not renewed in {} s: stopping before another node takes over", id,
                    by.timing().stepDownAfter().toMillis() / 1000.0);
            new Standby().standBy(by, EndpointStatus.connecting(Detail.COMMUNICATION_ERROR,
                    "standby: the cluster lease could not be renewed"));
        }
    }

    /**
     * The {@code clusterSingleton} attribute of an adapter's configuration; false for one without it,
     * or for a configuration that is no real annotation (a test's hand-made proxy answers null here).
     */
    private static boolean singletonIn(Annotation config) {
        Class<? extends Annotation> type = config.annotationType();
        Method attribute;
        try {
            attribute = type == null ? null : type.getMethod("clusterSingleton");
        } catch (NoSuchMethodException e) {
            return false;
        }
        if (attribute == null) {
            return false;
        }
        try {
            return Boolean.TRUE.equals(attribute.invoke(config));
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("clusterSingleton: not a valid boolean (" + describe(e.getCause()) + ")");
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    // --- status -----------------------------------------------------------------------------

    /**
     * Reports the protocol's state, with the kind of trouble and the reason in words (never a
     * secret). Ignored once the protocol was stopped, so a late callback of a closed connection
     * cannot overwrite the skeleton's {@code stopped}.
     */
    protected final void updateStatus(State state, Detail detail, String reason) {
        if (running) {
            setStatus(new EndpointStatus(state, detail, reason, Instant.now()));
        }
    }

    private void setStatus(EndpointStatus next) {
        synchronized (statusLock) {
            if (next.sameAs(status)) {
                return;
            }
            status = next;
            for (EndpointStatusListener listener : statusListeners) {
                try {
                    listener.statusChanged(this, next);
                } catch (RuntimeException e) {
                    log.warn("{}: status listener failed: {}", id, e.toString());
                }
            }
        }
    }

    @Override
    public final Subscription watchStatus(EndpointStatusListener listener) {
        Objects.requireNonNull(listener, "listener");
        statusListeners.add(listener);
        return () -> statusListeners.remove(listener);
    }

    // --- scheduler ---------------------------------------------------------------------------

    /**
     * Runs {@code task} once after {@code delay} on the scheduler every endpoint shares; cancelled
     * when the protocol stops. The task must be short and never block.
     */
    protected final Future<?> schedule(Duration delay, Runnable task) {
        Future<?> future = scheduled.once(delay, guarded(task));
        if (!running) {
            future.cancel(false);
        }
        return future;
    }

    /** Runs {@code task} every {@code period}, the first time after one period; cancelled when the protocol stops. */
    protected final Future<?> repeat(Duration period, Runnable task) {
        Future<?> future = scheduled.every(period, guarded(task));
        if (!running) {
            future.cancel(false);
        }
        return future;
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("{}: scheduled task failed: {}", id, e.toString());
            }
        };
    }

    // --- MessageSource -----------------------------------------------------------------------

    @Override
    public final Subscription subscribe(MessageListener listener) {
        return publisher.subscribe(listener);
    }

    /**
     * Hands a message that arrived from the protocol to the router, on the endpoint's source thread
     * in the order published; returns at once. Counted in {@code messagesIn}.
     *
     * @return false when it could not be queued (counted and logged, or the endpoint is stopped)
     */
    protected final boolean publish(Message message) {
        messagesIn.increment();
        return publisher.publish(message);
    }

    /** As {@link #publish(Message)}, the message built on the source thread; a null result is not delivered. */
    protected final boolean publish(Supplier<Message> message) {
        messagesIn.increment();
        return publisher.publish(message);
    }

    // --- MessageSink -------------------------------------------------------------------------

    @Override
    public final CompletionStage<Void> send(Message message) {
        if (message == null) {
            return CompletableFuture.failedFuture(new DeliveryException(id, "no message"));
        }
        if (!running) {
            SingletonLease standby = lease;
            String reason = status.state() + ": " + status.reason();
            return standby != null ? standby.answer(message, reason)
                    : CompletableFuture.failedFuture(new EndpointUnavailableException(id, reason));
        }
        CompletionStage<Void> sent;
        try {
            sent = deliver(message);
        } catch (RuntimeException e) {
            failedSends.increment();
            return CompletableFuture.failedFuture(new DeliveryException(id, describe(e), e));
        }
        if (sent == null) {
            failedSends.increment();
            return CompletableFuture.failedFuture(new DeliveryException(id, "the adapter gave no answer"));
        }
        // the common case, answered at once, costs no callback
        if (sent instanceof CompletableFuture<Void> done && done.isDone()) {
            count(done.isCompletedExceptionally() ? unwrapFailure(done) : null);
            return sent;
        }
        return sent.whenComplete((ok, error) -> count(error));
    }

    private void count(Throwable error) {
        if (error == null) {
            messagesOut.increment();
        } else if (!(unwrap(error) instanceof EndpointUnavailableException)) {
            failedSends.increment();
        }
    }

    private static Throwable unwrapFailure(CompletableFuture<Void> failed) {
        return failed.handle((ok, error) -> error).join();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
    }

    // --- Endpoint ----------------------------------------------------------------------------

    @Override
    public final String id() {
        return id;
    }

    /** As the configuration spells channels; an adapter whose channels have several spellings overrides this. */
    @Override
    public String canonicalChannel(String channel) {
        return ConfigCheck.notBlank("channel", channel);
    }

    @Override
    public final String protocol() {
        return protocol;
    }

    @Override
    public final EndpointStatus status() {
        return status;
    }

    @Override
    public final EndpointMetrics metrics() {
        Traffic total;
        synchronized (this) {
            total = running ? carried.plus(safeTraffic()) : carried;
        }
        long errors = total.errors() + failedSends.sum() + publisher.dropped() + publisher.listenerFailures();
        Map<String, Object> details;
        try {
            details = running ? details() : Map.of();
        } catch (RuntimeException e) {
            details = Map.of("error", describe(e));
        }
        SingletonLease singleton = lease;
        if (singleton != null) {
            details = new LinkedHashMap<>(details);
            long[] counts = singleton.forwardedDeliveredLost();
            details.put("clusterLease", singleton.holding() ? "held by this node" : "standby");
            details.put("forwardedToClusterHolder", counts[0]);
            details.put("deliveredForOtherNodes", counts[1]);
            details.put("lostForOtherNodes", counts[2]);
        }
        return new EndpointMetrics(messagesIn.sum(), messagesOut.sum(), total.bytesIn(), total.bytesOut(), errors,
                total.reconnects(), details, countersSince);
    }

    /** The console panel: the {@link #details} as tables, unless the adapter knows better. */
    @Override
    public List<Table> tables() {
        return EndpointPanel.tablesOf(metrics().details());
    }

    private Traffic safeTraffic() {
        try {
            Traffic now = traffic();
            return now == null ? Traffic.NONE : now;
        } catch (RuntimeException e) {
            return Traffic.NONE;
        }
    }

    // --- configuration errors ---------------------------------------------------------------

    /** The id to register under when the configuration cannot be used: its {@code id} if readable. */
    private String fallbackId(Annotation config) {
        try {
            Object value = config.annotationType().getMethod("id").invoke(config);
            if (value instanceof String text && !text.isBlank()) {
                return text.trim();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no readable id: the protocol's name stands in
        }
        return id == null || id.isBlank() ? protocol : id;
    }

    /**
     * Why a configuration could not be used: the first attribute that cannot be read as its type
     * ({@code port = abc}), or the settings factory's own reason.
     */
    private static String unreadable(Annotation config, RuntimeException failure) {
        Class<? extends Annotation> type = config.annotationType();
        for (Method attribute : type == null ? new Method[0] : type.getDeclaredMethods()) {
            try {
                attribute.invoke(config);
            } catch (InvocationTargetException e) {
                return attribute.getName() + ": not a valid " + attribute.getReturnType().getSimpleName()
                        + " (" + describe(e.getCause()) + ")";
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not an attribute we can call; the factory's reason says the rest
            }
        }
        return describe(failure);
    }

    private static String describe(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
