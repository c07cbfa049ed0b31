package dev.switchboard.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.cluster.ClusterLeases.Lease;
import dev.switchboard.api.cluster.ClusterUnavailableException;
import dev.switchboard.cluster.testing.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Leases between nodes on a real redis-server (started by the test on a free loopback port): taken
 * by one node, renewed only by it, lapsing when it stops renewing, then taken by another; never
 * extended or released by a node that does not hold it. Bad inputs tried: another node's renew and
 * release, the old holder renewing after a takeover, two nodes with the same node id, a lease name
 * with braces, a slash and a space,
 * Redis killed under a holder (the calls fail with the reason, nothing is thrown but that).
 */
class RedisLeasesTest {

    private static final String NAME = "endpoint/kosmi-main";
    private static final Duration TTL = Duration.ofSeconds(6);

    private RedisServerProcess redis;
    private RedisCluster a;
    private RedisCluster b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerProcess.start();
        a = node("node-a");
        b = node("node-b");
    }

    @AfterEach
    void stop() throws Exception {
        a.deactivate();
        b.deactivate();
        redis.close();
    }

    @Test
    void oneNodeHoldsTheLeaseAndTheOthersSeeWhoAndForHowLong() throws Exception {
        Lease taken = a.acquire(NAME, TTL);
        assertTrue(taken.held());
        assertEquals("node-a", taken.holder());
        assertEquals(TTL, taken.remaining());

        Lease refused = b.acquire(NAME, TTL);
        assertFalse(refused.held());
        assertEquals("node-a", refused.holder());
        assertTrue(refused.remaining().compareTo(Duration.ZERO) > 0 && refused.remaining().compareTo(TTL) <= 0,
                refused.toString());
        assertTrue(stored(NAME).startsWith("node-a#"), "the key holds the holder's node id and token: " + stored(NAME));

        Lease again = a.acquire(NAME, TTL);
        assertTrue(again.held(), "taking one's own lease again renews it");
    }

    @Test
    void aRenewalExtendsTheLeaseAsTheOtherNodesSeeIt() throws Exception {
        a.acquire(NAME, TTL);
        Await.until("the lease has run down a little", () -> pttl(NAME) < TTL.toMillis() - 300);
        long before = pttl(NAME);
        Lease renewed = a.renew(NAME, TTL);
        assertTrue(renewed.held());
        Lease seen = b.acquire(NAME, TTL);
        assertFalse(seen.held());
        assertTrue(seen.remaining().toMillis() > before, seen + " after " + before + " ms were left");
    }

    @Test
    void aLeaseNobodyRenewsLapsesAndAnotherNodeTakesIt() throws Exception {
        Duration shortTtl = Duration.ofMillis(300);
        assertTrue(a.acquire(NAME, shortTtl).held());
        Await.until("b takes the lapsed lease", () -> takes(b));
        assertTrue(stored(NAME).startsWith("node-b#"), stored(NAME));

        // bad input: the old holder comes back and renews as if nothing happened
        Lease late = a.renew(NAME, TTL);
        assertFalse(late.held(), "a cannot revive a lease that lapsed and was taken");
        assertEquals("node-b", late.holder());
        a.release(NAME);
        assertTrue(stored(NAME).startsWith("node-b#"), "a's release leaves b's lease alone");
    }

    @Test
    void aNodeNeverRenewsNorReleasesAnotherNodesLease() throws Exception {
        a.acquire(NAME, TTL);
        Await.until("the lease has run down a little", () -> pttl(NAME) < TTL.toMillis() - 300);
        long before = pttl(NAME);
        Lease renewed = b.renew(NAME, Duration.ofMinutes(10));
        assertFalse(renewed.held());
        assertEquals("node-a", renewed.holder());
        assertTrue(pttl(NAME) <= before, "b's renew did not extend a's lease");
        b.release(NAME);
        assertTrue(stored(NAME).startsWith("node-a#"), "b's release did not free a's lease");

        a.release(NAME);
        assertEquals(null, stored(NAME), "the holder's release frees it");
        Lease free = b.renew(NAME, TTL);
        assertEquals(new Lease(NAME, false, "", Duration.ZERO), free, "renewing a free lease does not take it");
        assertTrue(b.acquire(NAME, TTL).held(), "taking it does");
    }

    /** Bad input: two nodes configured with the same node id. */
    @Test
    void twoNodesWithTheSameIdNeverHoldTheLeaseTogether() throws Exception {
        RedisCluster twin = node("node-a");
        try {
            assertTrue(a.acquire(NAME, TTL).held());
            Lease refused = twin.acquire(NAME, TTL);
            assertFalse(refused.held(), "the twin does not take a's lease");
            assertEquals("node-a", refused.holder());
            assertFalse(twin.renew(NAME, TTL).held());
            twin.release(NAME);
            assertTrue(a.renew(NAME, TTL).held(), "nor renew or release it");
        } finally {
            twin.deactivate();
        }
    }

    /** Bad input: a name with the characters Redis keys and hash tags could stumble on. */
    @Test
    void anyNameIsOneLease() throws Exception {
        String odd = "endpoint/kosmi main{x}";
        assertTrue(a.acquire(odd, TTL).held());
        assertFalse(b.acquire(odd, TTL).held());
        assertTrue(b.acquire(NAME, TTL).held(), "another name is another lease");
    }

    /** Bad input: Redis killed under a holder and a standby node. */
    @Test
    void withRedisDownEveryCallFailsWithTheReasonAndWorksAgainAfterwards() throws Exception {
        assertTrue(a.acquire(NAME, TTL).held());
        redis.kill();
        ClusterUnavailableException renew = assertThrows(ClusterUnavailableException.class, () -> a.renew(NAME, TTL));
        assertTrue(renew.getMessage().startsWith("Redis unreachable: "), renew.getMessage());
        ClusterUnavailableException acquire = assertThrows(ClusterUnavailableException.class,
                () -> b.acquire(NAME, TTL));
        assertTrue(acquire.getMessage().startsWith("Redis unreachable: "), acquire.getMessage());
        assertThrows(ClusterUnavailableException.class, () -> a.release(NAME));

        redis.restart();
        Await.until("the holder renews again", () -> renews(a));
        assertFalse(b.acquire(NAME, TTL).held(), "the lease survived the restart (append-only file)");
    }

    private static boolean takes(RedisCluster node) {
        try {
            return node.acquire(NAME, TTL).held();
        } catch (ClusterUnavailableException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean renews(RedisCluster node) {
        try {
            return node.renew(NAME, TTL).held();
        } catch (ClusterUnavailableException notYet) {
            return false;
        }
    }

    private RedisCluster node(String id) {
        RedisCluster node = new RedisCluster();
        node.start(RedisSettings.of(redis.url(), null, "t", Duration.ofSeconds(2)), id);
        return node;
    }

    private String stored(String name) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            return jedis.get("t:lease:{" + name + "}");
        }
    }

    private long pttl(String name) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            return jedis.pttl("t:lease:{" + name + "}");
        }
    }
}
