package dev.switchboard.itests.distribution;

import static dev.switchboard.itests.distribution.Installation.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.cluster.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three Switchboard nodes on loopback, the distribution started three times with its ports moved and
 * the cluster feature booted, each with the demo channels endpoint clustered ({@code cluster = true}) through one real
 * redis-server: a chat message posted on node 1 reaches every subscriber on nodes 1 to 3 once; a
 * client joining on node 3 gets the same history; subscriber counts add up across nodes; and Redis
 * killed and restarted while node 1 publishes 200 messages/s loses and duplicates nothing. Bad
 * inputs tried: Redis down when the nodes start (they run alone and say so, then join), Redis
 * killed mid-stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {

    private static final Duration READY = Duration.ofSeconds(240);
    private static final Duration DELIVERED = Duration.ofSeconds(120);
    private static final String TOPIC = "chat:cluster";
    private static final Pattern NUMBERED = Pattern.compile("\"text\":\"m-(\\d+)\"");

    private final List<Installation> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final List<ChannelsClient> clients = new ArrayList<>();
    private RedisServerProcess redis;

    @BeforeAll
    void start() throws Exception {
        redis = RedisServerProcess.start();
        // down when the nodes start: they run alone until it is there
        redis.kill();
        for (int n = 1; n <= 3; n++) {
            Installation node = Installation.unzip(Path.of(System.getProperty("switchboard.zip")),
                    Path.of(System.getProperty("switchboard.work")));
            int port = Installation.freePort();
            node.replaceInConfig("dev.switchboard.channels-demo.cfg", "port = 8025", "port = " + port);
            node.replaceInConfig("dev.switchboard.channels-mirror.cfg", "port = 8026",
                    "port = " + Installation.freePort());
            Path demo = node.home.resolve("etc/dev.switchboard.channels-demo.cfg");
            node.writeConfig("dev.switchboard.channels-demo.cfg", Files.readString(demo)
                    + "\ncluster = true\nclusterStreamSize = 5000\n");
            node.bootFeature("switchboard-cluster");
            node.enableExample("dev.switchboard.cluster.cfg", java.util.Map.of("redisUrl", redis.url(),
                    "nodeId", "node" + n, "keyPrefix", "it"));
            nodes.add(node);
            ports.add(port);
        }
        for (Installation node : nodes) {
            node.run("start", null);
        }
        for (Installation node : nodes) {
            await("the demo endpoint runs alone and says why", READY, () -> reason(node).contains(
                    "cluster unavailable: Redis unreachable: Connection refused"));
        }
        redis.restart();
        for (int n = 1; n <= 3; n++) {
            int index = n;
            await("node" + n + " shares its topics", READY, () -> reason(nodes.get(index - 1))
                    .endsWith("shared as node node" + index));
        }
    }

    @AfterAll
    void stop() throws Exception {
        clients.forEach(ChannelsClient::close);
        for (Installation node : nodes) {
            node.run("stop", null);
        }
        for (Installation node : nodes) {
            try {
                await("the Karaf process exits", Duration.ofSeconds(90), () -> ProcessHandle.allProcesses()
                        .noneMatch(p -> p.info().commandLine().orElse("").contains(node.home.toString())));
            } finally {
                node.destroy();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    private ChannelsClient client(int node) throws Exception {
        ChannelsClient client = ChannelsClient.connect(nodes.get(node - 1).wsUri(ports.get(node - 1), "/"));
        clients.add(client);
        return client;
    }

    @Test
    @Order(1)
    void aMessagePostedOnOneNodeReachesEverySubscriberOnEveryNodeOnce() throws Exception {
        List<ChannelsClient> joined = List.of(client(1).join(TOPIC), client(2).join(TOPIC), client(3).join(TOPIC));
        joined.get(0).say(TOPIC, "ada", "hello-everyone");
        for (ChannelsClient client : joined) {
            await("hello arrives", DELIVERED, () -> client.received("hello-everyone"));
        }
        // a later message from node 2 proves nothing more of the first is on its way
        joined.get(1).say(TOPIC, "bob", "and-back");
        for (ChannelsClient client : joined) {
            await("the reply arrives", DELIVERED, () -> client.received("and-back"));
            assertEquals(1, client.frames().stream().filter(f -> f.contains("hello-everyone")).count(),
                    client.frames().toString());
            assertEquals(1, client.frames().stream().filter(f -> f.contains("and-back")).count());
        }

        await("3 subscribers counted on every node", DELIVERED, () -> nodes.stream()
                .allMatch(node -> clusterSubscribers(node) == 3));

        ChannelsClient late = client(3).join(TOPIC);
        String history = late.frames().stream().filter(f -> f.startsWith("[\"" + TOPIC + "\",\"history\""))
                .findFirst().orElseThrow();
        assertTrue(history.indexOf("hello-everyone") < history.indexOf("and-back")
                && history.indexOf("hello-everyone") > 0, history);
        await("4 subscribers counted", DELIVERED, () -> clusterSubscribers(nodes.get(0)) == 4);
    }

    @Test
    @Order(2)
    void redisKilledAndRestartedAt200MessagesASecondLosesAndDuplicatesNothing() throws Exception {
        List<ChannelsClient> joined = List.of(client(1).join(TOPIC), client(2).join(TOPIC), client(3).join(TOPIC));
        int total = 1600;
        AtomicInteger sent = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            long next = System.nanoTime();
            for (int i = 1; i <= total; i++) {
                try {
                    joined.get(0).say(TOPIC, "ada", "m-" + i);
                    sent.set(i);
                    next += 5_000_000;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                } catch (Exception e) {
                    return;
                }
            }
        }, "cluster-test-publisher");
        publisher.start();
        await("a first part is delivered", DELIVERED, () -> numbered(joined.get(2)).size() > 200);
        redis.kill();
        await("node 2 says the cluster is away", DELIVERED, () -> reason(nodes.get(1)).contains(
                "cluster unavailable: Redis unreachable"));
        int atKill = sent.get();
        await("a second part is posted while Redis is away", DELIVERED, () -> sent.get() > atKill + 200);
        redis.restart();
        publisher.join();
        assertEquals(total, sent.get(), "every message was posted");
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add(i);
        }
        for (int n = 0; n < 3; n++) {
            ChannelsClient client = joined.get(n);
            await("node " + (n + 1) + "'s client has every message", DELIVERED,
                    () -> numbered(client).size() >= total);
            assertEquals(expected, numbered(client), "node " + (n + 1) + ": all, once, in order");
        }
        System.out.println("Cluster figures, node 2: " + nodes.get(1).endpoint("demo").path("details").path("cluster"));
    }

    private static List<Integer> numbered(ChannelsClient client) {
        List<Integer> numbers = new ArrayList<>();
        for (String frame : client.frames()) {
            if (frame.startsWith("[\"" + TOPIC + "\",\"message\"")) {
                Matcher m = NUMBERED.matcher(frame);
                if (m.find()) {
                    numbers.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        return numbers;
    }

    private static String reason(Installation node) {
        try {
            JsonNode demo = node.endpoint("demo");
            return demo == null ? "" : demo.path("reason").asText();
        } catch (Exception e) {
            return "";
        }
    }

    private static int clusterSubscribers(Installation node) {
        try {
            return node.endpoint("demo").path("details").path("clusterSubscribers").path(TOPIC).asInt(-1);
        } catch (Exception e) {
            return -1;
        }
    }
}
