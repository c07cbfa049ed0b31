package dev.switchboard.benchmarks;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.router.Direction;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.GatewayRegistry;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Router dispatch: one source publishes chat messages into a gateway whose other members are
 * {@code sinks} sinks; a score is messages published per second, each delivered to every sink.
 * {@code stack=switchboard} runs the router bundle in an {@link EmbeddedFramework}: the source and
 * sinks are OSGi services (as adapters register them) and the gateway is a Config Admin factory
 * configuration (as a {@code .cfg} file gives it), so every message goes through dedup, hop trace,
 * nick format, one queue per sink and the gateway's delivery thread; {@code stack=direct} is the
 * baseline, the same source calling every sink in a plain loop on its own thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RouterDispatchBenchmark {

    static final int WINDOW = 256;

    @Param({"1", "4", "16"})
    public int sinks;

    @Param({"switchboard", "direct"})
    public String stack;

    private final Deliveries delivered = new Deliveries();
    private final List<MessageListener> listeners = new CopyOnWriteArrayList<>();
    private final List<MessageSink> sinkList = new ArrayList<>();
    private EmbeddedFramework framework;
    private long sequence;

    @Setup(Level.Trial)
    public void start() throws Exception {
        for (int i = 0; i < sinks; i++) {
            sinkList.add(message -> {
                delivered.count();
                return CompletableFuture.completedFuture(null);
            });
        }
        MessageSource source = listener -> {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        };
        if ("switchboard".equals(stack)) {
            framework = EmbeddedFramework.start();
            List<String> members = new ArrayList<>();
            members.add("source:room in");
            framework.context().registerService(MessageSource.class, source, endpoint("source"));
            for (int i = 0; i < sinks; i++) {
                members.add("sink" + i + ":room out");
                framework.context().registerService(MessageSink.class, sinkList.get(i), endpoint("sink" + i));
            }
            framework.configure("dev.switchboard.gateway", "bench", Map.of("name", "bench",
                    "members", members.toArray(String[]::new), "queueCapacity", 100_000));
            awaitReady(framework.service(GatewayRegistry.class));
        } else {
            source.subscribe(message -> {
                for (MessageSink sink : sinkList) {
                    sink.send(message);
                }
            });
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (framework != null) {
            framework.close();
        }
    }

    private static Hashtable<String, Object> endpoint(String id) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Endpoint.ENDPOINT_PROPERTY, id);
        properties.put(Endpoint.PROTOCOL_PROPERTY, "bench");
        return properties;
    }

    /** Waits until the gateway is active with the source and every sink bound. */
    private static void awaitReady(GatewayRegistry registry) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (registry.gateways().stream().noneMatch(RouterDispatchBenchmark::ready)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gateway not ready: " + registry.gateways());
            }
            Thread.sleep(10);
        }
    }

    private static boolean ready(GatewayInfo gateway) {
        return gateway.name().equals("bench") && gateway.active() && gateway.members().stream()
                .allMatch(m -> m.direction() == Direction.OUT ? m.sinkPresent() : m.sourcePresent());
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public void dispatch() throws InterruptedException {
        delivered.expect((long) WINDOW * sinks);
        for (int i = 0; i < WINDOW; i++) {
            Message message = Message.builder("source", "room").id("m" + sequence++).author("bench", "Bench")
                    .text("hello").build();
            for (MessageListener listener : listeners) {
                listener.onMessage(message);
            }
        }
        delivered.await();
    }

    /**
     * Counts deliveries and wakes the publisher once per window, when the last one arrives: a
     * wake-up per delivery would measure the benchmark's own hand-offs instead of the router.
     */
    static final class Deliveries {
        private final AtomicLong count = new AtomicLong();
        private volatile long target;

        void expect(long more) {
            target = count.get() + more;
        }

        void count() {
            if (count.incrementAndGet() == target) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        synchronized void await() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count.get() < target) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("deliveries did not arrive");
                }
                wait(100);
            }
        }
    }
}
