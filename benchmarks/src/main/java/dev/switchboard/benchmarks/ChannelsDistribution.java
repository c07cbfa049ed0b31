package dev.switchboard.benchmarks;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The Switchboard side of {@code channels-fanout.sh}: the built distribution with one channels
 * endpoint more, {@code etc/dev.switchboard.channels-bench.cfg} (id {@code bench}, a free port, the
 * {@code chat:<room>} handler, {@code maxConnections} raised for the idle scenario; everything else
 * as shipped), started with {@code bin/start} and its default JVM settings. Prints
 * {@code {"ready":true,"port":N,"pid":P}} (P: the Karaf JVM) once the endpoint is ONLINE, and runs
 * {@code bin/stop} when this process is stopped.
 *
 * <p>Arguments: {@code [--zip PATH] [--max-connections N]} (default 20000).
 */
public final class ChannelsDistribution {

    private ChannelsDistribution() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        String zip = arguments.contains("--zip") ? arguments.get(arguments.indexOf("--zip") + 1) : null;
        String max = arguments.contains("--max-connections")
                ? arguments.get(arguments.indexOf("--max-connections") + 1) : "20000";
        Distribution switchboard = Distribution.unpack(Distribution.zip(zip));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                switchboard.close();
            } catch (Exception e) {
                System.err.println("stopping the distribution in " + switchboard.home + " failed: " + e);
            }
            stopped.countDown();
        }));
        int port = Distribution.freePort();
        switchboard.writeConfig("dev.switchboard.channels-bench.cfg", "# the fan-out benchmark's endpoint\n"
                + "id = bench\nport = " + port + "\nchatPatterns = chat:<room>\nmaxConnections = " + max + "\n");
        switchboard.start("bench");
        System.out.println("{\"ready\":true,\"port\":" + port + ",\"pid\":" + switchboard.pid() + "}");
        System.out.flush();
        stopped.await();
    }
}
