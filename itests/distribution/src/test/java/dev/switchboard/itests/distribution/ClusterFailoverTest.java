package dev.switchboard.itests.distribution;

import static dev.switchboard.itests.distribution.Installation.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.cluster.testing.RedisServerProcess;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.transport.internal.TyrusTransport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Kosmi endpoint with {@code clusterSingleton = true}, configured alike on three nodes of a
 * cluster: the distribution started three times with shifted ports, one {@code redis-server}, the
 * Kosmi double in this JVM. One node connects to Kosmi and the others stand by; the holder is killed
 * ({@code kill -9}: no release, its lease has to lapse), another node takes over and the bridge
 * carries messages both ways again; then once more with the new holder. Before that, Redis is
 * killed: the holder stops, every node says why, and after Redis restarts one node runs it again. What a chat user on the
 * node that takes over wrote during the gap reaches Kosmi through it. The Kosmi double never has
 * two connections at once. Takeover times are printed (the design's bound is the lease's 6 s plus a
 * 1 s poll plus the login).
 *
 * <p>Each node's gateway joins the Kosmi room to the topic {@value #TOPIC} of the demo channels
 * endpoint, clustered ({@code cluster = true}). A chat user on a standby node reaches Kosmi too: its
 * node's router routes the text to the standby endpoint, which forwards it to the holder. Texts
 * written on the standby nodes while the holder is dead reach Kosmi through the node that takes over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFailoverTest {

    private static final int NODES = 3;
    private static final String ENDPOINT = "kosmi-main";
    private static final String ROOM = "@room";
    private static final String TOPIC = "chat:kosmi";
    private static final Duration READY = Duration.ofSeconds(180);
    /** Generous for a loaded CI machine; the takeover time itself is printed, not asserted. */
    private static final Duration TAKEOVER = Duration.ofSeconds(60);
    private static final Duration BRIDGED = Duration.ofSeconds(60);

    private record Node(String id, Installation installation, int chatPort) {
    }

    private final TyrusTransport transport = new TyrusTransport();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Node> alive = new ArrayList<>();
    private final AtomicInteger mostKosmiConnections = new AtomicInteger();
    private final List<String> figures = new ArrayList<>();
    private final List<String> sentToKosmi = new ArrayList<>();
    private final java.util.Set<Integer> usedPorts = new java.util.HashSet<>();
    private RedisServerProcess redis;
    private KosmiDouble kosmi;
    private Thread sampler;

    @BeforeAll
    void start() throws Exception {
        redis = RedisServerProcess.start();
        kosmi = new KosmiDouble(transport).start();
        usedPorts.add(redis.port());
        usedPorts.add(URI.create(kosmi.webSocketUrl()).getPort());
        for (int n = 1; n <= NODES; n++) {
            Installation node = unzipWithPortsOfItsOwn();
            int chatPort = distinctFreePort();
            node.replaceInConfig("dev.switchboard.channels-demo.cfg", "port = 8025", "port = " + chatPort);
            node.replaceInConfig("dev.switchboard.channels-mirror.cfg", "port = 8026", "port = " + distinctFreePort());
            Path demo = node.home.resolve("etc/dev.switchboard.channels-demo.cfg");
            node.writeConfig("dev.switchboard.channels-demo.cfg", Files.readString(demo) + "\ncluster = true\n");
            node.bootFeature("switchboard-cluster");
            node.writeConfig("dev.switchboard.cluster.cfg", "redisUrl = redis://127.0.0.1:" + redis.port()
                    + "\nnodeId = node-" + n + "\nkeyPrefix = failover\n");
            node.writeConfig("dev.switchboard.kosmi-main.cfg", "id = " + ENDPOINT + "\nrooms = " + ROOM
                    + "\nclusterSingleton = true\ngraphqlUrl = " + kosmi.graphqlUrl() + "\nwebSocketUrl = "
                    + kosmi.webSocketUrl() + "\nretryInitialMillis = 200\nretryMaxMillis = 2000\n");
            node.writeConfig("dev.switchboard.gateway-kosmi.cfg",
                    "members = demo:" + TOPIC + " inout, " + ENDPOINT + ":" + ROOM + " inout\nnickFormat =\n");
            nodes.add(new Node("node-" + n, node, chatPort));
        }
        for (Node node : nodes) {
            node.installation().run("start", null);
            alive.add(node);
        }
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                mostKosmiConnections.accumulateAndGet(kosmi.connections(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "kosmi-connection-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** An installation whose HTTP and SSH ports no other node was given. */
    private Installation unzipWithPortsOfItsOwn() throws java.io.IOException {
        while (true) {
            Installation node = Installation.unzip(Path.of(System.getProperty("switchboard.zip")),
                    Path.of(System.getProperty("switchboard.work")));
            if (node.httpPort != node.sshPort && !usedPorts.contains(node.httpPort)
                    && !usedPorts.contains(node.sshPort)) {
                usedPorts.add(node.httpPort);
                usedPorts.add(node.sshPort);
                return node;
            }
        }
    }

    /** A free port none of the nodes was given yet: the system hands out a port just released again. */
    private int distinctFreePort() throws java.io.IOException {
        while (true) {
            int port = Installation.freePort();
            if (usedPorts.add(port)) {
                return port;
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        System.out.println("Cluster failover figures:");
        figures.forEach(f -> System.out.println("  " + f));
        if (sampler != null) {
            sampler.interrupt();
        }
        for (Node node : alive) {
            node.installation().run("stop", null);
        }
        for (Node node : nodes) {
            Installation home = node.installation();
            try {
                await("Karaf of " + node.id() + " exits", Duration.ofSeconds(90), () -> ProcessHandle.allProcesses()
                        .noneMatch(p -> p.info().commandLine().orElse("").contains(home.home.toString())));
            } finally {
                home.destroy();
            }
        }
        if (kosmi != null) {
            kosmi.close();
        }
        if (redis != null) {
            redis.close();
        }
        transport.close();
    }

    /**
     * Also: what a chat user on a standby node writes while the holder is dead (the takeover gap) is
     * held by that node's router and bridged by it once it has taken over.
     */
    @Test
    void theHolderIsKilledAndAnotherNodeTakesOverTheBridge() throws Exception {
        Node holder = awaitOneHolder(READY);
        bridge(holder, "first");

        // Redis goes away: the holder stops before its lease could lapse, and no node runs the endpoint
        long redisKilledAt = System.nanoTime();
        redis.kill();
        await("every node stands by and says the cluster is unreachable, Kosmi has no connection", TAKEOVER,
                () -> kosmi.connections() == 0 && alive.stream().allMatch(node -> {
                    JsonNode endpoint = endpoint(node);
                    return endpoint != null && !endpoint.path("state").asText().equals("ONLINE")
                            && endpoint.path("reason").asText().startsWith("standby: cluster unreachable: ");
                }));
        figures.add(String.format("Redis killed: %s stopped, every node on standby after %.1f s", holder.id(),
                (System.nanoTime() - redisKilledAt) / 1e9));
        redis.restart();
        holder = awaitOneHolder(TAKEOVER);
        bridge(holder, "redis-back");

        for (int round = 1; round < NODES; round++) {
            Node killed = holder;
            Map<Node, ChatUser> standbyUsers = new LinkedHashMap<>();
            for (Node node : alive) {
                if (node != killed) {
                    standbyUsers.put(node, ChatUser.join(() -> node.installation().wsUri(node.chatPort(), "/"), TOPIC));
                }
            }
            try {
                long killedAt = System.nanoTime();
                killed.installation().destroy();
                alive.remove(killed);
                for (Map.Entry<Node, ChatUser> user : standbyUsers.entrySet()) {
                    user.getValue().post(TOPIC, gapText(user.getKey(), round));
                }
                holder = awaitOneHolder(TAKEOVER);
                double seconds = (System.nanoTime() - killedAt) / 1e9;
                figures.add(String.format("takeover %d: %s killed, %s online after %.1f s", round, killed.id(),
                        holder.id(), seconds));
                assertNotEquals(killed, holder);
                for (Node standby : standbyUsers.keySet()) {
                    awaitSentToKosmi(gapText(standby, round), "written on " + standby.id() + " during the takeover gap");
                }
            } finally {
                standbyUsers.values().forEach(ChatUser::close);
            }
            bridge(holder, "takeover" + round);
        }
        assertEquals(1, mostKosmiConnections.get(), "the Kosmi double never had two connections at once");
        Map<String, Integer> times = new LinkedHashMap<>();
        sentToKosmi.forEach(body -> times.merge(body, 1, Integer::sum));
        times.values().removeIf(n -> n == 1);
        figures.add("texts Kosmi got: " + sentToKosmi.size() + ", more than once: " + times);
    }

    private static String gapText(Node node, int round) {
        return "gap-" + round + "-on-" + node.id();
    }

    /** Waits until Kosmi got a message containing {@code text}; keeps every other message seen for later calls. */
    private void awaitSentToKosmi(String text, String what) throws InterruptedException {
        long deadline = System.nanoTime() + BRIDGED.toNanos();
        while (sentToKosmi.stream().noneMatch(body -> body.contains(text))) {
            assertTrue(System.nanoTime() < deadline, "Kosmi got the text " + what + "; it got " + sentToKosmi);
            KosmiDouble.Sent sent = kosmi.nextSent(Duration.ofSeconds(1));
            if (sent != null) {
                assertEquals(ROOM, sent.room());
                sentToKosmi.add(sent.body());
            }
        }
    }

    /**
     * Waits until exactly one live node runs the endpoint and every other says it stands by for that
     * node; fails if two run it at once.
     */
    private Node awaitOneHolder(Duration timeout) throws InterruptedException {
        Node[] holder = new Node[1];
        await("one node runs " + ENDPOINT + " and the others stand by for it", timeout, () -> {
            List<Node> online = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            for (Node node : alive) {
                JsonNode endpoint = endpoint(node);
                String state = endpoint == null ? "ABSENT" : endpoint.path("state").asText();
                if (state.equals("ONLINE")) {
                    online.add(node);
                }
                reasons.add(endpoint == null ? "" : endpoint.path("reason").asText());
            }
            assertTrue(online.size() <= 1, "two nodes run the endpoint: " + online);
            if (online.size() != 1) {
                return false;
            }
            holder[0] = online.get(0);
            String standing = "standby: held by node " + holder[0].id();
            return reasons.stream().filter(standing::equals).count() == alive.size() - 1;
        });
        assertNotNull(holder[0]);
        return holder[0];
    }

    private static JsonNode endpoint(Node node) {
        try {
            return node.installation().endpoint(ENDPOINT);
        } catch (Exception | AssertionError unreachable) {
            return null;
        }
    }

    /**
     * A text from Kosmi reaches a chat user on a standby node and one on the holder, and a text from
     * each reaches Kosmi.
     */
    private void bridge(Node holder, String tag) throws Exception {
        Node standby = alive.stream().filter(node -> node != holder).findFirst().orElse(null);
        if (standby != null) {
            bridgeVia(standby, "standby-" + tag);
        }
        bridgeVia(holder, tag);
        figures.add("bridge " + tag + " through " + holder.id() + (standby == null ? "" : ", from " + standby.id())
                + ": both ways");
    }

    private void bridgeVia(Node node, String tag) throws Exception {
        try (ChatUser chat = ChatUser.join(() -> node.installation().wsUri(node.chatPort(), "/"), TOPIC)) {
            String fromKosmi = "from-kosmi-" + tag;
            await("Kosmi's text reaches the chat on " + node.id(), BRIDGED, () -> {
                if (!chat.received(TOPIC, Pattern.compile("(" + fromKosmi + ")")).isEmpty()) {
                    return true;
                }
                kosmi.inject(ROOM, "bob", "Bob", fromKosmi);
                return false;
            });
            String fromChat = "from-chat-" + tag;
            chat.post(TOPIC, fromChat);
            awaitSentToKosmi(fromChat, "from the chat on " + node.id());
        }
    }
}
