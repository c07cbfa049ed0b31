package dev.switchboard.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Load driver of the tunnel benchmarks ({@code tunnels.sh relay|proxy}): the same figures against
 * the echo service directly, through a chain of socat processes, through Switchboard's relay or
 * proxy, and through the base64-in-JSON relay. Prints one JSON line per figure, with the load
 * average of the machine when it was taken.
 *
 * <p>Arguments: {@code --url ws://HOST:PORT/PATH}, {@code --label}, {@code --pid P[,P…]} (the
 * processes between driver and service; their CPU and heap are measured), {@code --scenario}:
 * <ul>
 *   <li>{@code echo} — {@code --connections} (10) × {@code --window} (16) binary messages of
 *       {@code --size} bytes (1024) in flight, {@code --warmup} (3) then {@code --seconds} (8);</li>
 *   <li>{@code connect} — {@code --count} (300) WebSocket connects one after the other, each timed
 *       from the TCP connect to the 101, after {@code --count}/10 unmeasured;</li>
 *   <li>{@code http} — {@code --connections} (64) keep-alive connections sending GETs;</li>
 *   <li>{@code idle} — {@code --connections} (1000) idle WebSockets held open: heap (by jcmd, after
 *       full collections) and RSS per connection, and with {@code --cpu-seconds N} the CPU the
 *       processes spend over N seconds without and then with the connections; {@code --hold-seconds N}
 *       keeps them open N seconds longer.</li>
 * </ul>
 */
public final class TunnelDriver {

    private final Map<String, String> options;
    private final URI uri;
    private final ProcessMeter meter;

    private TunnelDriver(Map<String, String> options) {
        this.options = options;
        this.uri = URI.create(options.get("url"));
        this.meter = ProcessMeter.of(options.get("pid"));
    }

    public static void main(String[] args) throws Exception {
        new TunnelDriver(Figures.options(args)).run();
        System.exit(0);
    }

    private int option(String name, int fallback) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(fallback)));
    }

    private double seconds(String name, double fallback) {
        return Double.parseDouble(options.getOrDefault(name, Double.toString(fallback)));
    }

    private void run() throws Exception {
        String scenario = options.getOrDefault("scenario", "echo");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("target", options.getOrDefault("label", uri.toString()));
        result.put("scenario", scenario);
        result.put("loadAverage", loadAverage());
        switch (scenario) {
            case "echo" -> result.putAll(new EchoLoad(uri, option("connections", 10), option("window", 16),
                    option("size", 1024)).run(seconds("warmup", 3), seconds("seconds", 8), meter));
            case "http" -> result.putAll(new HttpLoad(uri, option("connections", 64))
                    .run(seconds("warmup", 2), seconds("seconds", 6)));
            case "connect" -> result.putAll(connect(option("count", 300)));
            case "idle" -> result.putAll(idle(option("connections", 1000), option("cpu-seconds", 0)));
            default -> throw new IllegalArgumentException("no scenario " + scenario);
        }
        result.put("loadAverageAfter", loadAverage());
        System.out.println(Figures.json(result));
    }

    /** Connects, upgrades and closes, one at a time; the first tenth warms up and is not counted. */
    private Map<String, Object> connect(int count) throws IOException {
        int warmup = Math.max(1, count / 10);
        long[] times = new long[count];
        for (int i = -warmup; i < count; i++) {
            long start = System.nanoTime();
            WsConnection connection = WsConnection.open(uri);
            long end = System.nanoTime();
            connection.close();
            if (i >= 0) {
                times[i] = end - start;
            }
        }
        Arrays.sort(times);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connects", count);
        result.put("p50Ms", Figures.millis(times, 0.50));
        result.put("p99Ms", Figures.millis(times, 0.99));
        return result;
    }

    private Map<String, Object> idle(int count, int cpuSeconds) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", count);
        Thread.sleep(1000);
        if (cpuSeconds > 0) {
            result.put("cpuPercentWithout", cpuPercent(cpuSeconds));
        }
        long heapBefore = meter.heap();
        long rssBefore = meter.rss();
        List<WsConnection> connections = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            try {
                connections.add(WsConnection.open(uri));
            } catch (IOException e) {
                // counted and named below: the figure is per connection that did open
                result.putIfAbsent("firstRefusal", e.getMessage().lines().findFirst().orElse("") + " at connection " + i);
            }
        }
        result.put("refused", count - connections.size());
        Thread.sleep(2000);
        long heapAfter = meter.heap();
        long rssAfter = meter.rss();
        if (cpuSeconds > 0) {
            result.put("cpuPercentWith", cpuPercent(cpuSeconds));
        }
        // an idle connection the tunnel dropped would read its end (or a close frame) by now
        long open = 0;
        for (WsConnection connection : connections) {
            connection.channel.configureBlocking(false);
            if (connection.channel.read(connection.in) == 0) {
                open++;
            }
        }
        result.put("open", open);
        if (heapBefore >= 0) {
            result.put("heapBeforeMiB", Figures.round(heapBefore / 1048576.0));
            result.put("heapAfterMiB", Figures.round(heapAfter / 1048576.0));
            int opened = Math.max(1, connections.size());
            result.put("heapPerConnectionKiB", Figures.round((heapAfter - heapBefore) / 1024.0 / opened));
            result.put("rssPerConnectionKiB", Figures.round((rssAfter - rssBefore) / 1024.0 / opened));
        }
        // keeps them open a while longer on request, to take a heap histogram of the tunnel
        Thread.sleep(option("hold-seconds", 0) * 1000L);
        connections.forEach(WsConnection::close);
        return result;
    }

    /** The measured processes' CPU over {@code seconds}, in percent of one core. */
    private double cpuPercent(int seconds) throws Exception {
        double before = meter.cpuSeconds();
        Thread.sleep(seconds * 1000L);
        return Figures.round((meter.cpuSeconds() - before) * 100 / seconds);
    }

    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }
}
