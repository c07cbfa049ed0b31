package dev.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks and prints each figure beside its baseline from the same run. Every
 * benchmark has a {@code stack} parameter: {@code switchboard} is ours, any other value is the
 * baseline it is compared with. Arguments: an optional include pattern (regex on benchmark names),
 * {@code -quick} for shorter iterations.
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("-quick");
        String include = List.of(args).stream().filter(a -> !a.startsWith("-")).findFirst().orElse(".*Benchmark.*");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .forks(1)
                .warmupIterations(quick ? 1 : 2)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 3)
                .measurementTime(TimeValue.seconds(quick ? 1 : 3))
                .jvmArgsAppend("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        Collection<RunResult> results = new Runner(options.build()).run();
        print(results);
    }

    private static void print(Collection<RunResult> results) {
        // benchmark + params without stack -> stack -> score
        Map<String, Map<String, double[]>> rows = new TreeMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (RunResult result : results) {
            var params = result.getParams();
            String benchmark = params.getBenchmark().replaceAll(".*\\.(\\w+Benchmark)\\.(\\w+)$", "$1.$2");
            List<String> key = new ArrayList<>();
            key.add(benchmark);
            for (String name : params.getParamsKeys()) {
                if (!"stack".equals(name)) {
                    key.add(name + "=" + params.getParam(name));
                }
            }
            String row = String.join(" ", key);
            String size = params.getParamsKeys().contains("size") ? params.getParam("size") : null;
            if (size != null) {
                sizes.put(row, Integer.parseInt(size));
            }
            var primary = result.getPrimaryResult();
            rows.computeIfAbsent(row, r -> new TreeMap<>())
                    .put(params.getParam("stack"), new double[] {primary.getScore(), primary.getScoreError()});
        }
        System.out.println();
        System.out.println("=== Switchboard benchmark figures (ops/s = messages/s; baseline measured in the same run) ===");
        for (var row : rows.entrySet()) {
            double[] ours = row.getValue().get("switchboard");
            for (var stack : row.getValue().entrySet()) {
                if ("switchboard".equals(stack.getKey())) {
                    continue;
                }
                double[] base = stack.getValue();
                Integer size = sizes.get(row.getKey());
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-55s switchboard %,14.0f ± %,.0f msg/s",
                        row.getKey(), ours == null ? Double.NaN : ours[0], ours == null ? Double.NaN : ours[1]));
                if (size != null && ours != null) {
                    line.append(String.format(Locale.ROOT, " (%,.1f MB/s)", ours[0] * size / 1e6));
                }
                line.append(String.format(Locale.ROOT, " | baseline %s %,14.0f ± %,.0f msg/s", stack.getKey(), base[0], base[1]));
                if (size != null) {
                    line.append(String.format(Locale.ROOT, " (%,.1f MB/s)", base[0] * size / 1e6));
                }
                if (ours != null) {
                    line.append(String.format(Locale.ROOT, " | ratio %.2f", ours[0] / base[0]));
                }
                System.out.println(line);
                System.out.println(json(row.getKey(), stack.getKey(), ours, base, size));
            }
        }
    }

    private static String json(String row, String baseline, double[] ours, double[] base, Integer size) {
        return String.format(Locale.ROOT,
                "{\"benchmark\":\"%s\",\"switchboard\":%.1f,\"switchboardError\":%.1f,\"baseline\":\"%s\",\"baselineScore\":%.1f,\"baselineError\":%.1f%s}",
                row, ours == null ? Double.NaN : ours[0], ours == null ? Double.NaN : ours[1], baseline, base[0], base[1],
                size == null || ours == null ? "" : String.format(Locale.ROOT, ",\"switchboardMBps\":%.2f,\"baselineMBps\":%.2f",
                        ours[0] * size / 1e6, base[0] * size / 1e6));
    }
}
