package dev.switchboard.benchmarks;

import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.router.internal.GatewaySettings;
import dev.switchboard.router.internal.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
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
 * {@code stack=switchboard} runs the real router (dedup, hop trace, nick format, one queue and
 * delivery thread per sink); {@code stack=direct} is the baseline, the same source calling every
 * sink in a plain loop on its own thread.
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

    private final Semaphore delivered = new Semaphore(0);
    private final List<MessageListener> listeners = new ArrayList<>();
    private final List<MessageSink> sinkList = new ArrayList<>();
    private Router router;
    private long sequence;

    @Setup(Level.Trial)
    public void start() {
        for (int i = 0; i < sinks; i++) {
            sinkList.add(new CountingSink(delivered));
        }
        MessageSource source = listener -> {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        };
        if ("switchboard".equals(stack)) {
            router = new Router();
            List<String> members = new ArrayList<>();
            members.add("source:room in");
            for (int i = 0; i < sinks; i++) {
                members.add("sink" + i + ":room out");
                router.sinkAdded("sink" + i, sinkList.get(i));
            }
            router.configure("bench", new GatewaySettings("bench", members, "[{PROTOCOL}] <{NICK}> ", 100_000, true));
            router.sourceAdded("source", "bench", source);
        } else {
            source.subscribe(message -> {
                for (MessageSink sink : sinkList) {
                    sink.send(message);
                }
            });
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (router != null) {
            router.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public void dispatch() throws InterruptedException {
        for (int i = 0; i < WINDOW; i++) {
            Message message = Message.builder("source", "room").id("m" + sequence++).author("bench", "Bench")
                    .text("hello").build();
            for (MessageListener listener : listeners) {
                listener.onMessage(message);
            }
        }
        if (!delivered.tryAcquire(WINDOW * sinks, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("deliveries did not arrive");
        }
    }

    /** Accepts at once and counts. */
    static final class CountingSink implements MessageSink {
        private final Semaphore delivered;

        CountingSink(Semaphore delivered) {
            this.delivered = delivered;
        }

        @Override
        public CompletionStage<Void> send(Message message) {
            delivered.release();
            return CompletableFuture.completedFuture(null);
        }
    }
}
