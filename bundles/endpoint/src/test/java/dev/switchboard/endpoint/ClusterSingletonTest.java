package dev.switchboard.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Subscription;
import dev.switchboard.api.cluster.Cluster;
import dev.switchboard.api.cluster.ClusterLeases;
import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.api.cluster.ClusterUnavailableException;
import dev.switchboard.endpoint.EndpointSupportTest.CountingAdapter;
import dev.switchboard.endpoint.EndpointSupportTest.TestSettings;
import dev.switchboard.endpoint.internal.SingletonLease.Timing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The skeleton's cluster singleton: of the nodes that have the endpoint, only the lease holder runs
 * its protocol. The nodes are adapters in this JVM sharing one lease table that keeps the
 * contract's TTL semantics ({@link SharedLeases}); the Redis side of the same contract is tested
 * against a real redis-server in the cluster bundle. The lease's clock runs five times faster than
 * in production, so a takeover takes well under a second. Bad inputs tried: no cluster at all, the
 * cluster unreachable from the start and under a holder, a {@code clusterSingleton} value that
 * cannot be read, a message written long before or just now on a standby node.
 */
class ClusterSingletonTest {

    /** A holder cut off stops 700-750 ms after its last renewal, half a second before its lease lapses. */
    private static final Timing FAST = new Timing(Duration.ofMillis(1200), Duration.ofMillis(300),
            Duration.ofMillis(100), Duration.ofMillis(700), Duration.ofMillis(100));
    private static final TestSettings SETTINGS = new TestSettings("kosmi-main", 1, true);

    private final SharedLeases table = new SharedLeases();
    private final List<CountingAdapter> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        nodes.forEach(CountingAdapter::stop);
    }

    private CountingAdapter node(SharedLeases.View view) {
        CountingAdapter adapter = new CountingAdapter();
        nodes.add(adapter);
        adapter.startSingleton(SETTINGS, () -> view, () -> view, FAST);
        return adapter;
    }

    /** Node a, which took the lease, and node b, standing by for it. */
    private record Holding(SharedLeases.View viewA, CountingAdapter a, CountingAdapter b) {
    }

    private Holding aHoldsBStandsBy() throws InterruptedException {
        SharedLeases.View viewA = table.node("a");
        CountingAdapter a = node(viewA);
        await("node a runs", a::running);
        CountingAdapter b = node(table.node("b"));
        await("b stands by", () -> standingBy(b, "a"));
        return new Holding(viewA, a, b);
    }

    @Test
    void exactlyOneNodeRunsTheEndpointAndTheOthersSayWhoHoldsIt() throws Exception {
        CountingAdapter a = node(table.node("a"));
        await("node a runs the endpoint", () -> a.running() && a.status().state() == State.ONLINE);
        CountingAdapter b = node(table.node("b"));
        CountingAdapter c = node(table.node("c"));
        await("b and c stand by", () -> standingBy(b, "a") && standingBy(c, "a"));
        assertEquals(List.of(), b.calls, "a standby node never starts the protocol");
        assertEquals(List.of(), c.calls);
        assertEquals(Detail.STANDBY, b.status().detail());
        assertEquals("standby", b.metrics().details().get("clusterLease"));
        assertEquals("held by this node", a.metrics().details().get("clusterLease"));
    }

    @Test
    void whenTheHolderIsCutOffItStopsBeforeAnotherNodeTakesOver() throws Exception {
        Holding pair = aHoldsBStandsBy();
        SharedLeases.View viewA = pair.viewA();
        CountingAdapter a = pair.a();
        CountingAdapter b = pair.b();

        // a loses the cluster (its process hangs, its network fails) while its lease still lasts
        viewA.reachable.set(false);
        long overlaps = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!b.running()) {
            if (a.running() && b.running()) {
                overlaps++;
            }
            assertTrue(System.nanoTime() < deadline, "b took over");
            Thread.sleep(5);
        }
        assertFalse(a.running(), "a stopped before b started");
        assertEquals(0, overlaps);
        assertEquals(State.CONNECTING, a.status().state());
        assertTrue(a.status().reason().startsWith("standby: "), a.status().reason());
        assertTrue(a.calls.contains("restart"), "a stopped its protocol: " + a.calls);

        // a reaches the cluster again: b holds the lease now, a stays on standby
        viewA.reachable.set(true);
        await("a stands by for b", () -> standingBy(a, "b"));
        assertTrue(b.running());
    }

    @Test
    void aStoppedHolderReleasesTheLeaseAndAnotherTakesOverAtOnce() throws Exception {
        Holding pair = aHoldsBStandsBy();
        CountingAdapter a = pair.a();
        CountingAdapter b = pair.b();
        a.stop();
        await("b runs", b::running);
        assertEquals("b", table.holder("endpoint/kosmi-main"));
    }

    /** Bad input: no cluster at all (the cluster bundle absent or not configured). */
    @Test
    void withoutAClusterASingletonWaitsAndNeverRuns() throws Exception {
        CountingAdapter alone = new CountingAdapter();
        nodes.add(alone);
        alone.startSingleton(SETTINGS, () -> null, () -> null, FAST);
        await("it says it waits for the cluster", () -> alone.status().reason().contains("waiting for the cluster"));
        Thread.sleep(FAST.ttl().toMillis());
        assertEquals(List.of(), alone.calls);
        assertEquals(State.CONNECTING, alone.status().state());
        Throwable refused = failure(alone.send(Message.builder("web", "room").text("hi").build()));
        assertInstanceOf(EndpointUnavailableException.class, refused, "not now: the router holds it");
    }

    /** Bad input: the cluster unreachable from the first moment (Redis down). */
    @Test
    void withTheClusterUnreachableASingletonDoesNotStartAndSaysWhy() throws Exception {
        SharedLeases.View view = table.node("a");
        view.reachable.set(false);
        CountingAdapter a = node(view);
        await("it says the cluster is unreachable", () -> a.status().reason().startsWith(
                "standby: cluster unreachable: ") && a.status().detail() == Detail.COMMUNICATION_ERROR);
        assertEquals(List.of(), a.calls);
        view.reachable.set(true);
        await("it runs once the cluster answers", a::running);
    }

    @Test
    void aStandbyForwardsToTheHolderAndTheNextHolderDeliversWhatTheDeadOneMayHaveMissed() throws Exception {
        Holding pair = aHoldsBStandsBy();
        SharedLeases.View viewA = pair.viewA();
        CountingAdapter a = pair.a();
        CountingAdapter b = pair.b();

        // routed on b: forwarded, and delivered by a
        CompletableFuture<Void> forwarded = b.send(text("early")).toCompletableFuture();
        assertTrue(forwarded.isDone() && !forwarded.isCompletedExceptionally(), "forwarded at once");
        await("a delivered it", () -> a.metrics().messagesOut() == 1);
        assertEquals(1L, b.metrics().details().get("forwardedToClusterHolder"));
        assertEquals(1L, a.metrics().details().get("deliveredForOtherNodes"));
        assertEquals(0, b.metrics().messagesOut(), "a standby delivers nothing itself");
        long renewals = table.renewals("a");
        await("a renewed twice since", () -> table.renewals("a") >= renewals + 2);

        // a is cut off: what b forwards now reaches nobody, and b delivers it once it has taken over
        viewA.reachable.set(false);
        await("a stopped", () -> !a.running());
        assertTrue(b.send(text("gap")).toCompletableFuture().isDone());
        await("b runs", b::running);
        await("b delivered what was forwarded after a's last renewal", () -> b.metrics().messagesOut() == 1);
        assertEquals(1, a.metrics().messagesOut(), "a delivered nothing more");
        Thread.sleep(FAST.ttl().toMillis());
        assertEquals(1, b.metrics().messagesOut(), "not what a had outlived ('early')");
    }

    @Test
    void whatTheHolderSaidItDeliveredIsNotDeliveredAgainByTheNext() throws Exception {
        Holding pair = aHoldsBStandsBy();
        SharedLeases.View viewA = pair.viewA();
        CountingAdapter a = pair.a();
        CountingAdapter b = pair.b();

        // delivered by a right before it is cut off: inside the window a takeover repeats by time
        assertTrue(b.send(text("last moment")).toCompletableFuture().isDone());
        await("a delivered it", () -> Long.valueOf(1).equals(a.metrics().details().get("deliveredForOtherNodes")));
        viewA.reachable.set(false);
        await("a stopped", () -> !a.running());
        assertTrue(b.send(text("gap")).toCompletableFuture().isDone());
        await("b runs", b::running);
        await("b delivered what was forwarded in the gap", () -> b.metrics().messagesOut() == 1);
        Thread.sleep(FAST.ttl().toMillis());
        assertEquals(1, b.metrics().messagesOut(), "not 'last moment', which a said it delivered");
        assertEquals(1, a.metrics().messagesOut());
    }

    /** Bad input: a message routed on a standby node while nobody holds the lease (the cluster unreachable). */
    @Test
    void withNoHolderKnownAStandbyAnswersNotNowSoTheRouterKeepsTheMessage() throws Exception {
        SharedLeases.View view = table.node("a");
        view.reachable.set(false);
        CountingAdapter a = node(view);
        await("it says the cluster is unreachable", () -> a.status().reason().startsWith("standby: cluster"));
        assertInstanceOf(EndpointUnavailableException.class, failure(a.send(text("held"))));
    }

    private static Message text(String text) {
        return Message.builder("web", "room").text(text).build();
    }

    @Test
    void aSingletonSwitchedOffGivesUpTheLease() throws Exception {
        Holding pair = aHoldsBStandsBy();
        CountingAdapter a = pair.a();
        CountingAdapter b = pair.b();
        a.start(new TestSettings("kosmi-main", 1, false));
        assertEquals(Detail.DISABLED, a.status().detail());
        await("b runs", b::running);
    }

    /** The shape of a client adapter's form: the skeleton finds {@code clusterSingleton} in it. */
    @interface SingletonConfig {
        String id();

        int port();

        boolean enabled();

        boolean clusterSingleton();
    }

    static SingletonConfig singletonConfig(Object singleton) {
        return (SingletonConfig) java.lang.reflect.Proxy.newProxyInstance(SingletonConfig.class.getClassLoader(),
                new Class<?>[] {SingletonConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> "kosmi-main";
                    case "port" -> 1;
                    case "enabled" -> true;
                    // as SCR's conversion fails on a value it cannot read
                    case "clusterSingleton" -> {
                        if (singleton instanceof Boolean flag) {
                            yield flag;
                        }
                        throw new IllegalArgumentException("cannot convert " + singleton + " to boolean");
                    }
                    case "annotationType" -> SingletonConfig.class;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static TestSettings settingsOf(SingletonConfig config) {
        return new TestSettings(config.id(), config.port(), config.enabled());
    }

    @Test
    void theSkeletonReadsTheKeyFromTheFormAndAnEditSwitchesItOff() throws Exception {
        CountingAdapter adapter = new CountingAdapter();
        nodes.add(adapter);
        adapter.modifyEndpoint(singletonConfig(true), ClusterSingletonTest::settingsOf);
        assertEquals(State.CONNECTING, adapter.status().state(), "no cluster here: it stands by");
        assertEquals(Detail.STANDBY, adapter.status().detail());
        assertEquals(List.of(), adapter.calls);

        adapter.modifyEndpoint(singletonConfig(false), ClusterSingletonTest::settingsOf);
        assertTrue(adapter.running(), "not a singleton: it runs at once, cluster or not");
        assertEquals(State.ONLINE, adapter.status().state());
        assertEquals(null, adapter.metrics().details().get("clusterLease"));
    }

    /** Bad input: a clusterSingleton value that cannot be read as a boolean. */
    @Test
    void anUnreadableSingletonValueIsAConfigurationError() {
        CountingAdapter adapter = new CountingAdapter();
        nodes.add(adapter);
        adapter.modifyEndpoint(singletonConfig("maybe"), ClusterSingletonTest::settingsOf);
        assertEquals(State.OFFLINE, adapter.status().state());
        assertEquals(Detail.CONFIGURATION_ERROR, adapter.status().detail());
        assertTrue(adapter.status().reason().startsWith("invalid configuration: clusterSingleton"),
                adapter.status().reason());
        assertEquals(List.of(), adapter.calls);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static boolean standingBy(CountingAdapter node, String holder) {
        return !node.running() && node.status().state() == State.CONNECTING
                && node.status().reason().equals("standby: held by node " + holder);
    }

    private static Throwable failure(java.util.concurrent.CompletionStage<Void> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("expected a failure");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * One lease table with the contract's TTL semantics and one set of shared topics (delivered at
     * once to the other nodes that joined them) for several nodes; each node's view can be cut off.
     */
    static final class SharedLeases {

        private record Entry(String holder, long expiresAt) {
        }

        private record Joined(View view, String namespace, ClusterTopics.Listener listener) {
        }

        private final Map<String, Entry> leases = new HashMap<>();
        private final Map<String, Integer> renewals = new HashMap<>();
        private final List<Joined> joined = new CopyOnWriteArrayList<>();

        /** How often {@code nodeId} renewed a lease it held. */
        synchronized int renewals(String nodeId) {
            return renewals.getOrDefault(nodeId, 0);
        }

        View node(String nodeId) {
            return new View(nodeId);
        }

        synchronized String holder(String name) {
            Entry entry = live(name);
            return entry == null ? "" : entry.holder();
        }

        private Entry live(String name) {
            Entry entry = leases.get(name);
            return entry == null || entry.expiresAt() - System.nanoTime() <= 0 ? null : entry;
        }

        final class View implements ClusterLeases, Cluster {
            final String nodeId;
            final AtomicBoolean reachable = new AtomicBoolean(true);

            View(String nodeId) {
                this.nodeId = nodeId;
            }

            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public Lease acquire(String name, Duration ttl) throws ClusterUnavailableException {
                check();
                synchronized (SharedLeases.this) {
                    Entry entry = live(name);
                    if (entry == null || entry.holder().equals(nodeId)) {
                        leases.put(name, new Entry(nodeId, System.nanoTime() + ttl.toNanos()));
                        return new Lease(name, true, nodeId, ttl);
                    }
                    return new Lease(name, false, entry.holder(),
                            Duration.ofNanos(entry.expiresAt() - System.nanoTime()));
                }
            }

            @Override
            public Lease renew(String name, Duration ttl) throws ClusterUnavailableException {
                check();
                synchronized (SharedLeases.this) {
                    Entry entry = live(name);
                    if (entry != null && entry.holder().equals(nodeId)) {
                        leases.put(name, new Entry(nodeId, System.nanoTime() + ttl.toNanos()));
                        renewals.merge(nodeId, 1, Integer::sum);
                        return new Lease(name, true, nodeId, ttl);
                    }
                    return entry == null ? new Lease(name, false, "", Duration.ZERO)
                            : new Lease(name, false, entry.holder(),
                                    Duration.ofNanos(entry.expiresAt() - System.nanoTime()));
                }
            }

            @Override
            public void release(String name) throws ClusterUnavailableException {
                check();
                synchronized (SharedLeases.this) {
                    Entry entry = live(name);
                    if (entry != null && entry.holder().equals(nodeId)) {
                        leases.remove(name);
                    }
                }
            }

            @Override
            public EndpointStatus status() {
                return reachable.get() ? EndpointStatus.online("shared") : EndpointStatus.offline("cut off");
            }

            @Override
            public Subscription watchStatus(Consumer<EndpointStatus> listener) {
                return () -> { };
            }

            @Override
            public ClusterTopics topics(String namespace, ClusterTopics.Settings settings,
                                        ClusterTopics.Listener listener) {
                Joined self = new Joined(this, namespace, listener);
                joined.add(self);
                return new ClusterTopics() {
                    @Override
                    public boolean publish(String topic, String event, String data, boolean remembered) {
                        if (reachable.get()) {
                            for (Joined other : joined) {
                                if (other.view() != View.this && other.namespace().equals(namespace)
                                        && other.view().reachable.get()) {
                                    other.listener().received(topic, event, data, remembered);
                                }
                            }
                        }
                        return true;
                    }

                    @Override
                    public void localSubscribers(String topic, int count) {
                    }

                    @Override
                    public int subscribers(String topic) {
                        return 0;
                    }

                    @Override
                    public Map<String, Object> figures() {
                        return Map.of();
                    }

                    @Override
                    public void close() {
                        joined.remove(self);
                    }
                };
            }

            private void check() throws ClusterUnavailableException {
                if (!reachable.get()) {
                    throw new ClusterUnavailableException("Redis unreachable: Connection refused", null);
                }
            }
        }
    }
}
