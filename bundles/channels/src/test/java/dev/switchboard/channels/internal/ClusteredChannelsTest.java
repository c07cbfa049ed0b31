package dev.switchboard.channels.internal;

import static dev.switchboard.channels.internal.ChannelsServerTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.Message;
import dev.switchboard.api.cluster.ClusterTopics;
import dev.switchboard.transport.internal.TyrusTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clustered channels endpoints ({@code cluster = true}) on one cluster: a client's chat message,
 * a routed message and a handler-less broadcast reach the subscribers of every node once; a node
 * that joins later gives the same history; subscriber counts add up; and the status says when the
 * cluster is away while local delivery goes on. Bad inputs tried: no cluster configured at all, the
 * cluster unreachable.
 */
class ClusteredChannelsTest {

    private static final ClusterTopics.Settings SHARED = new ClusterTopics.Settings(100, Duration.ofMinutes(1));

    private final TyrusTransport transport = new TyrusTransport();
    private final LoopbackCluster cluster = new LoopbackCluster();
    private final List<ChannelsAdapter> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(TestClient::close);
        nodes.forEach(ChannelsAdapter::stop);
        transport.close();
        cluster.close();
    }

    private ChannelsAdapter node(boolean joined) {
        ChannelsAdapter adapter = new ChannelsAdapter(transport);
        adapter.start(ChannelsSettings.defaults("web").withCluster(SHARED));
        if (joined) {
            adapter.cluster(cluster);
        }
        nodes.add(adapter);
        return adapter;
    }

    private TestClient joined(ChannelsAdapter node, String topic) throws Exception {
        TestClient client = TestClient.connect(node.server().url());
        clients.add(client);
        client.send("[\"" + topic + "\",\"subscribe\",{}]");
        client.expect("[\"" + topic + "\",\"subscribed\",{}]");
        return client;
    }

    @Test
    void chatAndBroadcastsReachEveryNodeOnceAndALateNodeGivesTheSameHistory() throws Exception {
        ChannelsAdapter one = node(true);
        ChannelsAdapter two = node(true);
        TestClient atOne = joined(one, "chat:lobby");
        atOne.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        TestClient atTwo = joined(two, "chat:lobby");
        atTwo.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");

        atOne.send("[\"chat:lobby\",\"message\",{\"text\":\"hi\"}]");
        atOne.expect("[\"chat:lobby\",\"message\",{\"text\":\"hi\"}]");
        atTwo.expect("[\"chat:lobby\",\"message\",{\"text\":\"hi\"}]");
        two.send(Message.builder("router", "chat:lobby").event("status").data(java.util.Map.of("up", true)).build())
                .toCompletableFuture().join();
        atTwo.expect("[\"chat:lobby\",\"status\",{\"up\":true}]");
        atOne.expect("[\"chat:lobby\",\"status\",{\"up\":true}]");
        atOne.expectNothingBeforeProbe();
        atTwo.expectNothingBeforeProbe();

        ChannelsAdapter three = node(true);
        TestClient atThree = joined(three, "chat:lobby");
        atThree.expect("[\"chat:lobby\",\"history\",{\"messages\":[{\"text\":\"hi\"}]}]");
        assertEquals(3, three.server().clusterSubscriberCount("chat:lobby"));
        assertEquals(1, three.server().subscriberCount("chat:lobby"));

        // the cluster goes and comes back (its configuration edited): its history is not added twice
        one.cluster(null);
        atOne.send("[\"chat:lobby\",\"message\",{\"text\":\"alone\"}]");
        atOne.expect("[\"chat:lobby\",\"message\",{\"text\":\"alone\"}]");
        one.cluster(cluster);
        await("shared again", () -> one.status().reason().endsWith("shared as node loopback"));
        cluster.settle();
        TestClient again = joined(one, "chat:lobby");
        again.expect("[\"chat:lobby\",\"history\",{\"messages\":[{\"text\":\"hi\"},{\"text\":\"alone\"}]}]");
    }

    @Test
    void theStatusSaysWhenTheClusterIsAwayWhileLocalDeliveryGoesOn() throws Exception {
        ChannelsAdapter alone = node(false);
        await("no cluster reported", () -> alone.status().reason().endsWith(
                "cluster unavailable: no cluster configured (dev.switchboard.cluster)"));
        assertEquals(EndpointStatus.State.ONLINE, alone.status().state());

        ChannelsAdapter joined = node(true);
        await("shared", () -> joined.status().reason().endsWith("shared as node loopback"));
        cluster.status(EndpointStatus.offline(Detail.COMMUNICATION_ERROR, "Redis unreachable: Connection refused"));
        await("cluster away", () -> joined.status().reason().endsWith(
                "cluster unavailable: Redis unreachable: Connection refused"));
        assertEquals(Detail.COMMUNICATION_ERROR, joined.status().detail());
        TestClient client = joined(joined, "chat:lobby");
        client.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        client.send("[\"chat:lobby\",\"message\",{\"text\":\"still here\"}]");
        client.expect("[\"chat:lobby\",\"message\",{\"text\":\"still here\"}]");
        cluster.status(EndpointStatus.online("connected"));
        await("back", () -> joined.status().detail() == Detail.NONE);
        assertTrue(joined.status().reason().startsWith("listening on ws://"), joined.status().reason());
    }
}
