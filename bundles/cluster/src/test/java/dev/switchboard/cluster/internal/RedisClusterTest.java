package dev.switchboard.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.fppt.jedismock.RedisServer;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.cluster.ClusterLeases.Lease;
import dev.switchboard.api.cluster.ClusterUnavailableException;
import dev.switchboard.cluster.testing.RedisServerProcess;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster component: its configuration, its status while Redis answers and while it does not,
 * and leases between two nodes, on jedis-mock (in process) and on a real redis-server. Bad inputs
 * tried: a URL with another scheme, no host or a non-numeric database; Redis down at start (nobody
 * listens on the port); a wrong password.
 */
class RedisClusterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void readsUrlsAndRefusesBadOnes() {
        RedisSettings tls = RedisSettings.of("rediss://ops@redis.example:6380/2", "secret", "", TIMEOUT);
        assertEquals("redis.example", tls.host());
        assertEquals(6380, tls.port());
        assertTrue(tls.tls());
        assertEquals(2, tls.database());
        assertEquals("ops", tls.user());
        assertEquals("sb", tls.keyPrefix());
        assertEquals("rediss://redis.example:6380/2", tls.address(), "the address never shows a password");
        assertEquals(6379, RedisSettings.of("redis://127.0.0.1", "", "x", TIMEOUT).port());
        assertThrows(IllegalArgumentException.class, () -> RedisSettings.of("http://127.0.0.1:6379", "", "sb", TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> RedisSettings.of("redis:///0", "", "sb", TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> RedisSettings.of("redis://h:1/zero", "", "sb", TIMEOUT));
    }

    @Test
    void keepsAGeneratedNodeId(@TempDir Path data) {
        File file = data.resolve(RedisCluster.NODE_ID_FILE).toFile();
        String first = RedisCluster.keptNodeId(file);
        assertTrue(first.startsWith("node-"), first);
        assertEquals(first, RedisCluster.keptNodeId(file), "the same id after a restart");
    }

    @Test
    void onlineOnJedisMockAndLeasesHeldByOneNodeAtATime() throws Exception {
        RedisServer server = RedisServer.newRedisServer(0, InetAddress.getLoopbackAddress()).start();
        RedisCluster a = node("redis://127.0.0.1:" + server.getBindPort(), null, "a");
        RedisCluster b = node("redis://127.0.0.1:" + server.getBindPort(), null, "b");
        try {
            Await.until("node a online", () -> a.status().state() == State.ONLINE);
            assertEquals(new Lease("kosmi-main", true, "a", Duration.ZERO), untimed(a.acquire("kosmi-main", Duration.ofSeconds(10))));
            assertEquals(new Lease("kosmi-main", false, "a", Duration.ZERO), untimed(b.acquire("kosmi-main", Duration.ofSeconds(10))));
            assertEquals(new Lease("kosmi-main", false, "a", Duration.ZERO), untimed(b.renew("kosmi-main", Duration.ofSeconds(10))),
                    "b cannot renew a's lease");
            b.release("kosmi-main");
            assertEquals(new Lease("kosmi-main", true, "a", Duration.ZERO), untimed(a.renew("kosmi-main", Duration.ofSeconds(10))),
                    "b's release left a's lease alone");
            a.release("kosmi-main");
            assertEquals(new Lease("kosmi-main", true, "b", Duration.ZERO), untimed(b.acquire("kosmi-main", Duration.ofSeconds(10))));
        } finally {
            a.deactivate();
            b.deactivate();
            server.stop();
        }
    }

    @Test
    void redisDownAtStartIsOfflineWithTheReasonAndComesOnlineWhenItStarts() throws Exception {
        int port = RedisServerProcess.freePort();
        RedisCluster node = node("redis://127.0.0.1:" + port, null, "a");
        try {
            Await.until("unreachable", () -> node.status().state() == State.OFFLINE);
            assertEquals(Detail.COMMUNICATION_ERROR, node.status().detail());
            assertTrue(node.status().reason().startsWith("Redis unreachable: Connection refused"),
                    node.status().reason());
            ClusterUnavailableException refused = assertThrows(ClusterUnavailableException.class,
                    () -> node.acquire("x", Duration.ofSeconds(5)));
            assertTrue(refused.getMessage().startsWith("Redis unreachable"), refused.getMessage());
            RedisServer server = RedisServer.newRedisServer(port, InetAddress.getLoopbackAddress()).start();
            try {
                Await.until("online after Redis started", () -> node.status().state() == State.ONLINE);
            } finally {
                server.stop();
            }
        } finally {
            node.deactivate();
        }
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailure() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--requirepass", "right")) {
            RedisCluster wrong = node(redis.url(), "wrong", "a");
            RedisCluster right = node(redis.url(), "right", "b");
            try {
                Await.until("refused", () -> wrong.status().state() == State.OFFLINE);
                assertEquals(Detail.AUTHENTICATION_FAILED, wrong.status().detail(), wrong.status().toString());
                assertFalse(wrong.status().reason().contains("wrong"), "never the password in a status");
                Await.until("the right password online", () -> right.status().state() == State.ONLINE);
            } finally {
                wrong.deactivate();
                right.deactivate();
            }
        }
    }

    /** The lease without its remaining time, which {@code RedisLeasesTest} checks. */
    private static Lease untimed(Lease lease) {
        return new Lease(lease.name(), lease.held(), lease.holder(), Duration.ZERO);
    }

    private static RedisCluster node(String url, String password, String id) {
        RedisCluster cluster = new RedisCluster();
        cluster.start(RedisSettings.of(url, password, "t", TIMEOUT), id);
        return cluster;
    }
}
