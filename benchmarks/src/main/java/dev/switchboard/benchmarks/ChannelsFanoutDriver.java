package dev.switchboard.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Fan-out load driver for any topic-channel server with a {@code chat:<room>} handler (Switchboard's
 * channels endpoint, the Node reference): subscribers on loopback, publishers sending
 * {@code [topic,"message",{seq,t,pad}]}, every broadcast timed from publish to receipt in this
 * process. Prints one JSON line per scenario.
 *
 * <p>Scenarios: {@code fanout} — 100 subscribers on one topic, then 1 000 subscribers over 100
 * topics (10 each), each first warmed up on other topics, then measured twice: at full speed
 * (closed loop: at most {@code --window} deliveries outstanding) and paced at
 * {@code --paced-deliveries} per second for {@code --paced-seconds}; {@code latency} — 2 subscribers of
 * one topic, published to at {@code --latency-rate} messages per second (5 000) for {@code --paced-seconds};
 * {@code idle} — 10 000 idle connections, the server's heap and RSS before and after.
 *
 * <p>Several servers sharing their topics (clustered nodes): {@code --url} lists them separated by
 * commas and the subscribers are spread over them in turn; the publishers send to the first, or to
 * {@code --publish-url}.
 *
 * <p>Arguments: {@code --url ws://127.0.0.1:PORT/[,…]} or {@code --ceiling} (an in-process raw fan-out
 * server, the driver's own upper bound), {@code --label}, {@code --scenario fanout|idle},
 * {@code --pid} (server process, for CPU and RSS), {@code --heap jcmd} (a JVM server's heap after GC, by jcmd),
 * {@code --messages}, {@code --payload-bytes}, {@code --window}, {@code --paced-deliveries},
 * {@code --paced-seconds}, {@code --publishers}, {@code --connections}, {@code --hold-seconds},
 * {@code --receivers}.
 */
public final class ChannelsFanoutDriver {

    private final Map<String, String> options;
    private final String label;
    private final long origin = System.nanoTime();
    private final List<FanoutReceiver> receivers = new ArrayList<>();
    private List<URI> uris;
    private URI publishUri;
    private int topicRun;

    private ChannelsFanoutDriver(Map<String, String> options) {
        this.options = options;
        this.label = options.getOrDefault("label", "server");
    }

    public static void main(String[] args) throws Exception {
        new ChannelsFanoutDriver(Figures.options(args)).run();
        System.exit(0);
    }

    private int option(String name, int fallback) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(fallback)));
    }

    private void run() throws Exception {
        RawFanoutServer ceiling = null;
        if (options.containsKey("ceiling")) {
            ceiling = new RawFanoutServer();
            uris = List.of(URI.create("ws://127.0.0.1:" + ceiling.port() + "/"));
        } else {
            uris = Arrays.stream(options.get("url").split(",")).map(String::strip).map(URI::create).toList();
        }
        publishUri = options.containsKey("publish-url") ? URI.create(options.get("publish-url")) : uris.get(0);
        for (int i = 0; i < option("receivers", 1); i++) {
            receivers.add(new FanoutReceiver(i, origin));
        }
        String scenario = options.getOrDefault("scenario", "fanout");
        if (scenario.equals("fanout")) {
            int messages = option("messages", 10_000);
            int paced = option("paced-deliveries", 30_000);
            int seconds = option("paced-seconds", 5);
            fanout("100 subscribers x 1 topic", 1, 100, messages, 0);
            fanout("1000 subscribers x 100 topics", 100, 10, messages * 5, 0);
            // the same delivery rate for every server, well below what either sustains: latency without queueing
            fanout("100 subscribers x 1 topic", 1, 100, paced / 100 * seconds, paced / 100);
            fanout("1000 subscribers x 100 topics", 100, 10, paced / 10 * seconds, paced / 10);
        } else if (scenario.equals("latency")) {
            int rate = option("latency-rate", 5000);
            fanout("2 subscribers x 1 topic", 1, 2, rate * option("paced-seconds", 5), rate);
        } else {
            idle(option("connections", 10_000));
        }
        receivers.forEach(FanoutReceiver::stop);
        if (ceiling != null) {
            ceiling.close();
        }
    }

    /** Warms up on fresh topics, then measures on fresh topics with fresh connections. */
    private void fanout(String name, int topics, int perTopic, int messages, int rate) throws Exception {
        run(topics, perTopic, Math.max(messages / 5, 1), rate, null);
        run(topics, perTopic, messages, rate, name);
    }

    private void run(int topicCount, int perTopic, int messages, int rate, String name) throws Exception {
        int run = ++topicRun;
        String[] topics = new String[topicCount];
        for (int t = 0; t < topicCount; t++) {
            // unique per driver process too: a long-lived server keeps each chat topic's history
            topics[t] = "chat:bench" + ProcessHandle.current().pid() + "-" + run + "-" + t;
        }
        int subscribers = topicCount * perTopic;
        long expected = (long) messages * perTopic;
        for (FanoutReceiver receiver : receivers) {
            receiver.reset((int) Math.min(Integer.MAX_VALUE - 8, expected));
        }
        List<WsConnection> subs = new ArrayList<>();
        long subscribedBefore = subscribedTotal();
        for (int i = 0; i < subscribers; i++) {
            WsConnection connection = WsConnection.open(uris.get(i % uris.size()));
            connection.sendText("[\"" + topics[i % topicCount] + "\",\"subscribe\",{\"id\":\"bench-" + i + "\"}]");
            receivers.get(i % receivers.size()).add(connection);
            subs.add(connection);
        }
        await(() -> subscribedTotal() - subscribedBefore >= subscribers, "subscriptions acknowledged");
        WsConnection[] publishers = new WsConnection[topicCount];
        for (int t = 0; t < topicCount; t++) {
            publishers[t] = WsConnection.open(publishUri);
            // read too: a server that pings (Switchboard does) closes a publisher that never answers
            receivers.get(t % receivers.size()).add(publishers[t]);
        }
        String pad = "x".repeat(option("payload-bytes", 64));
        long window = option("window", 4096);
        ProcessMeter server = ProcessMeter.of(options.get("pid"));
        double cpuBefore = server.cpuSeconds();
        double systemBefore = server.systemCpuSeconds();
        long started = System.nanoTime();
        // several publishing threads when there are several topics (each topic stays on one thread, so
        // its sequence stays in order): one thread's write syscalls would cap the many-topic scenario
        int threads = option("publishers", 2);
        int publisherThreads = topicCount % threads == 0 ? threads : 1;
        List<Thread> running = new ArrayList<>();
        for (int k = 0; k < publisherThreads; k++) {
            int first = k;
            Thread thread = new Thread(() -> publish(first, publisherThreads, messages, rate, perTopic, window, started,
                    publishers, topics, pad), "fanout-publisher-" + k);
            thread.start();
            running.add(thread);
        }
        for (Thread thread : running) {
            thread.join();
        }
        long lastPublish = System.nanoTime();
        // the tail: until every delivery arrived, or nothing arrived for 10 s
        long seen = -1;
        long progressAt = System.nanoTime();
        while (deliveredTotal() < expected) {
            long now = deliveredTotal();
            if (now != seen) {
                seen = now;
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > TimeUnit.SECONDS.toNanos(10)) {
                break;
            }
            Thread.sleep(1);
        }
        long lastDelivery = receivers.stream().mapToLong(r -> r.lastDeliveryNanos).max().orElse(lastPublish);
        double cpuSeconds = server.cpuSeconds() - cpuBefore;
        double systemSeconds = server.systemCpuSeconds() - systemBefore;
        long delivered = deliveredTotal();
        int closed = (int) subs.stream().filter(c -> c.closed).count();
        for (WsConnection connection : subs) {
            connection.close();
        }
        for (WsConnection publisher : publishers) {
            publisher.close();
        }
        if (name == null) {
            return;
        }
        long[] latencies = receivers.stream().map(FanoutReceiver::latencies).flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(latencies);
        double seconds = (lastDelivery - started) / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("server", label);
        result.put("scenario", name);
        result.put("mode", rate > 0 ? "paced " + rate + " msgs/s published" : "full speed");
        result.put("subscribers", subscribers);
        result.put("topics", topicCount);
        result.put("published", messages);
        result.put("delivered", delivered);
        result.put("lost", expected - delivered);
        result.put("outOfOrder", receivers.stream().mapToLong(r -> r.outOfOrder).sum());
        result.put("subscribersClosed", closed);
        result.put("seconds", Figures.round(seconds));
        result.put("deliveredPerSecond", Math.round(delivered / seconds));
        if (!server.isEmpty()) {
            // CPU the server spent per delivery: a figure that other load on the machine hardly moves
            result.put("serverCpuSeconds", Figures.round(cpuSeconds));
            result.put("serverCpuMicrosPerDelivery", Figures.round(cpuSeconds * 1e6 / Math.max(1, delivered)));
            // the kernel's part (socket writes and reads, wakeups): what no user-space change removes per syscall
            result.put("serverSystemCpuMicrosPerDelivery", Figures.round(systemSeconds * 1e6 / Math.max(1, delivered)));
        }
        result.put("latencyMs", Map.of("p50", Figures.millis(latencies, 0.50), "p90", Figures.millis(latencies, 0.90),
                "p99", Figures.millis(latencies, 0.99), "max", Figures.millis(latencies, 1.0)));
        System.out.println(Figures.json(result));
    }

    /** Publishes messages {@code first}, {@code first + step}, … of a run, paced or windowed. */
    private void publish(int first, int step, int messages, int rate, int perTopic, long window, long started,
                         WsConnection[] publishers, String[] topics, String pad) {
        long deadline = started + TimeUnit.SECONDS.toNanos(120);
        try {
            for (int i = first; i < messages; i += step) {
                if (rate > 0) {
                    long due = started + (long) i * 1_000_000_000L / rate;
                    for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                }
                long queued = (long) i * perTopic;
                // sleeping, not spinning: on two cores a spinning publisher would take a core from the server
                while (queued - deliveredTotal() > window && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(50_000);
                }
                int topic = i % topics.length;
                long t = System.nanoTime() - origin;
                publishers[topic].sendText("[\"" + topics[topic] + "\",\"message\",{\"seq\":" + i + ",\"t\":" + t
                        + ",\"pad\":\"" + pad + "\"}]");
            }
        } catch (IOException e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }

    private void idle(int count) throws Exception {
        ProcessMeter server = ProcessMeter.of(options.get("pid"));
        boolean jcmd = "jcmd".equals(options.get("heap"));
        Thread.sleep(500);
        long rssBefore = server.rss();
        long heapBefore = jcmd ? server.heap() : -1;
        List<WsConnection> connections = java.util.Collections.synchronizedList(new ArrayList<>(count));
        // a server that stops answering (out of memory, say) must not hang the run: opening stops
        // after 30 s without progress, and the figures say how many opened
        String[] failure = new String[1];
        Thread opener = new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    WsConnection connection = WsConnection.open(uris.get(i % uris.size()));
                    receivers.get(i % receivers.size()).add(connection);
                    connections.add(connection);
                }
            } catch (IOException e) {
                failure[0] = e.toString();
            }
        }, "idle-opener");
        opener.start();
        int seen = -1;
        long progressAt = System.nanoTime();
        while (opener.isAlive()) {
            opener.join(200);
            if (connections.size() != seen) {
                seen = connections.size();
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > TimeUnit.SECONDS.toNanos(30)) {
                failure[0] = "no upgrade answered for 30 s";
                opener.interrupt(); // closes the channel it is blocked on
                opener.join();
            }
        }
        Thread.sleep(2000);
        long open = connections.stream().filter(c -> !c.closed).count();
        long rssAfter = server.rss();
        long heapAfter = jcmd ? server.heap() : -1;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("server", label);
        result.put("scenario", count + " idle connections");
        result.put("open", open);
        if (failure[0] != null) {
            result.put("openingStopped", failure[0]);
        }
        result.put("rssBeforeMiB", Figures.round(rssBefore / 1048576.0));
        result.put("rssAfterMiB", Figures.round(rssAfter / 1048576.0));
        result.put("rssPerConnectionKiB", Figures.round((rssAfter - rssBefore) / 1024.0 / Math.max(1, open)));
        if (heapBefore >= 0) {
            result.put("heapBeforeMiB", Figures.round(heapBefore / 1048576.0));
            result.put("heapAfterMiB", Figures.round(heapAfter / 1048576.0));
            result.put("heapPerConnectionKiB", Figures.round((heapAfter - heapBefore) / 1024.0 / Math.max(1, open)));
        }
        System.out.println(Figures.json(result));
        // keeps them open a while longer on request, to take a heap histogram of the server
        Thread.sleep(TimeUnit.SECONDS.toMillis(option("hold-seconds", 0)));
        connections.forEach(WsConnection::close);
    }

    private long deliveredTotal() {
        long total = 0;
        for (FanoutReceiver receiver : receivers) {
            total += receiver.delivered.get();
        }
        return total;
    }

    private long subscribedTotal() {
        return receivers.stream().mapToLong(r -> r.subscribed.get()).sum();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
