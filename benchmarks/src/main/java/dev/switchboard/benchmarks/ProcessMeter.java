package dev.switchboard.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server process costs, read from outside as an operator would: CPU time and RSS from
 * {@code /proc}, heap in use after full collections through {@code jcmd}. A meter watches one or
 * more processes (a relay in two JVMs, a chain of socat processes) and their descendants (socat's
 * {@code fork} serves each connection in a child), and adds their figures up.
 */
final class ProcessMeter {

    /** Linux's USER_HZ, the unit of /proc/PID/stat times. */
    static final int CLOCK_TICKS = 100;

    /** Heap lines of {@code jcmd GC.heap_info}, whatever the collector: "... generation total NK, used NK" or "... heap total NK, used NK". */
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\s*\\S.*(?:generation|heap)\\s+total \\d+K, used (\\d+)K");

    private final List<Long> pids;

    private ProcessMeter(List<Long> pids) {
        this.pids = pids;
    }

    /** A meter of the comma-separated process ids in {@code pids}; none when it is null or empty. */
    static ProcessMeter of(String pids) {
        List<Long> list = new ArrayList<>();
        if (pids != null) {
            for (String pid : pids.split(",")) {
                if (!pid.isBlank()) {
                    list.add(Long.parseLong(pid.strip()));
                }
            }
        }
        return new ProcessMeter(list);
    }

    boolean isEmpty() {
        return pids.isEmpty();
    }

    /** User plus system CPU time of the processes and their living descendants so far, in seconds. */
    double cpuSeconds() throws IOException {
        return seconds(false);
    }

    /** The kernel's part of {@link #cpuSeconds}: system CPU time only, in seconds. */
    double systemCpuSeconds() throws IOException {
        return seconds(true);
    }

    private double seconds(boolean systemOnly) throws IOException {
        long ticks = 0;
        for (long pid : pids) {
            ticks += ticks(pid, systemOnly);
            for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
                ticks += ticks(child.pid(), systemOnly);
            }
        }
        return ticks / (double) CLOCK_TICKS;
    }

    private static long ticks(long pid, boolean systemOnly) throws IOException {
        return (systemOnly ? 0 : stat(pid, 11)) + stat(pid, 12);
    }

    /** Field {@code index} (0 = state) of /proc/PID/stat after the command name; 0 for a process gone. */
    private static long stat(long pid, int index) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (NoSuchFileException e) {
            return 0; // a child that ended between listing and reading
        }
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[index]);
    }

    /** The resident set size of the processes (not their descendants), in bytes; -1 without processes. */
    long rss() throws IOException {
        if (pids.isEmpty()) {
            return -1;
        }
        long total = 0;
        for (long pid : pids) {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        return total;
    }

    /**
     * The JVMs' heap in use after full collections, in bytes, through {@code jcmd} (the JDK's
     * diagnostic command, as an operator would ask a running JVM); -1 without processes.
     */
    long heap() throws IOException, InterruptedException {
        if (pids.isEmpty()) {
            return -1;
        }
        long total = 0;
        for (long pid : pids) {
            // two collections, as one may leave finalizable objects
            jcmd(pid, "GC.run");
            jcmd(pid, "GC.run");
            Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
            while (used.find()) {
                total += Long.parseLong(used.group(1)) * 1024;
            }
        }
        return total > 0 ? total : -1;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }
}
