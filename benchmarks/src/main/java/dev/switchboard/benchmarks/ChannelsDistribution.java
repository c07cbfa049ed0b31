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
 * <p>Arguments: {@code [--zip PATH] [--max-connections N]} (default 20000), and for a node of a
 * cluster {@code --cluster redis://HOST:PORT --node-id NAME}: the node boots the cluster feature and joins
 * through {@code etc/dev.switchboard.cluster.cfg} (key prefix {@code bench}), the endpoint is clustered,
 * and "ready" waits until it shares its topics.
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
        String cluster = arguments.contains("--cluster") ? arguments.get(arguments.indexOf("--cluster") + 1) : null;
        int port = Distribution.freePort();
        if (cluster != null) {
            String node = arguments.get(arguments.indexOf("--node-id") + 1);
            switchboard.bootFeature("switchboard-cluster");
            switchboard.writeConfig("dev.switchboard.cluster.cfg", "redisUrl = " + cluster + "\nnodeId = " + node
                    + "\nkeyPrefix = bench\n");
        }
        switchboard.writeConfig("dev.switchboard.channels-bench.cfg", "# the fan-out benchmark's endpoint\n"
                + "id = bench\nport = " + port + "\nchatPatterns = chat:<room>\nmaxConnections = " + max + "\n"
                + (cluster == null ? "" : "cluster = true\n"));
        switchboard.start("bench");
        if (cluster != null) {
            switchboard.awaitReason("bench", "shared as node");
        }
        System.out.println("{\"ready\":true,\"port\":" + port + ",\"pid\":" + switchboard.pid() + "}");
        System.out.flush();
        stopped.await();
    }
}
