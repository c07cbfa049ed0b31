package dev.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The Switchboard side of {@code tunnels.sh}: the built distribution with a relay (server and
 * client) or a proxy (controller and agent) configured by files in {@code etc/} in front of a local
 * service, both halves in one Karaf JVM or, with {@code --processes 2}, each half in a distribution
 * of its own (unpacked twice, each with its own free ports). Started with {@code bin/start} and
 * the distribution's default JVM settings. Prints {@code {"ready":true,"port":N,"pids":"P[,P]"}}
 * (N: the port browsers use; P: the Karaf JVMs, public side first) once every endpoint is ONLINE,
 * and runs {@code bin/stop} when this process is stopped.
 *
 * <p>Arguments: {@code relay|proxy --service PORT [--processes 1|2] [--zip PATH] [--java-opts "OPTIONS"]}
 * (JVM options instead of the distribution's defaults, to see what they cost).
 */
public final class TunnelDistribution {

    private TunnelDistribution() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        Map<String, String> options = Figures.options(Arrays.copyOfRange(args, 1, args.length));
        String service = "http://127.0.0.1:" + Integer.parseInt(options.get("service"));
        boolean two = "2".equals(options.getOrDefault("processes", "1"));
        List<Distribution> running = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Distribution distribution : running) {
                try {
                    distribution.close();
                } catch (Exception e) {
                    System.err.println("stopping the distribution in " + distribution.home + " failed: " + e);
                }
            }
            stopped.countDown();
        }));
        Distribution front = Distribution.unpack(Distribution.zip(options.get("zip")));
        running.add(front);
        Distribution back = front;
        if (two) {
            back = Distribution.unpack(Distribution.zip(options.get("zip")));
            running.add(back);
        }
        if (options.containsKey("java-opts")) {
            front.javaOptions(options.get("java-opts"));
            back.javaOptions(options.get("java-opts"));
        }
        int port = Distribution.freePort();
        String token = UUID.randomUUID().toString().replace("-", "");
        String[] ids;
        if (kind.equals("relay")) {
            ids = new String[] {"relay-bench", "relay-bench-app"};
            front.writeConfig("dev.switchboard.relay.server-bench.cfg", "# the tunnel benchmark's relay server\n"
                    + "id = relay-bench\nport = " + port + "\ntokens = " + token + "\ndefaultTunnel = bench\n"
                    + "maxWebSocketsPerTunnel = 10000\n");
            back.writeConfig("dev.switchboard.relay.client-bench.cfg", "# the tunnel benchmark's relay client\n"
                    + "id = relay-bench-app\nrelayUrl = ws://127.0.0.1:" + port + "/_relay/control\ntoken = " + token
                    + "\ntunnel = bench\nlocalUrl = " + service + "\n");
        } else if (kind.equals("proxy")) {
            ids = new String[] {"proxy-bench", "proxy-bench-agent"};
            int agentPort = Distribution.freePort();
            front.writeConfig("dev.switchboard.proxy.controller-bench.cfg", "# the tunnel benchmark's proxy controller\n"
                    + "id = proxy-bench\nport = " + port + "\nagentPort = " + agentPort + "\nagents = bench:" + token
                    + "\nroutes = * -> bench/echo\n");
            back.writeConfig("dev.switchboard.proxy.agent-bench.cfg", "# the tunnel benchmark's proxy agent\n"
                    + "id = proxy-bench-agent\ncontrollerUrl = ws://127.0.0.1:" + agentPort + "/_agent\nname = bench\n"
                    + "token = " + token + "\nservices = echo=" + service + "\n");
        } else {
            throw new IllegalArgumentException("relay or proxy, not " + kind);
        }
        if (two) {
            front.start(ids[0]);
            back.start(ids[1]);
        } else {
            front.start(ids);
        }
        String pids = two ? front.pid() + "," + back.pid() : Long.toString(front.pid());
        System.out.println("{\"ready\":true,\"port\":" + port + ",\"pids\":\"" + pids + "\"}");
        System.out.flush();
        stopped.await();
    }
}
