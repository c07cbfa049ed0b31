package dev.switchboard.cluster.internal;

import dev.switchboard.api.cluster.ClusterLeases.Lease;
import dev.switchboard.api.cluster.ClusterUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Leases as Redis keys {@code <prefix>:lease:{name}} holding the holder's node id with a TTL: taken
 * with {@code SET NX PX}, renewed and released by scripts that first check the holder, so a node
 * never extends or drops another's lease. Every answer says who holds the lease and for how long
 * still ({@code PTTL}), from which another node tells when the holder last renewed. The value is
 * the node id and a token of this process ({@code node-1#3f2a…}): two nodes given the same id by
 * mistake still never hold one lease together.
 */
final class RedisLeases {

    /** Extends the lease if it is this node's; answers {holder or '', milliseconds it still lasts}. */
    private static final String RENEW = """
            local holder = redis.call('get', KEYS[1])
            if holder == ARGV[1] then
              redis.call('pexpire', KEYS[1], ARGV[2])
              return {holder, tonumber(ARGV[2])}
            end
            if not holder then
              return {'', 0}
            end
            return {holder, redis.call('pttl', KEYS[1])}""";

    private static final String RELEASE = """
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('del', KEYS[1])
            end
            return 0""";

    private final RedisConnection redis;
    private final String nodeId;
    /** What this process writes as the holder: its node id and a token no other process has. */
    private final String holderValue;

    RedisLeases(RedisConnection redis, String nodeId) {
        this.redis = redis;
        this.nodeId = nodeId;
        this.holderValue = nodeId + "#" + UUID.randomUUID();
    }

    Lease acquire(String name, Duration ttl) throws ClusterUnavailableException {
        String key = key(name);
        try (Jedis jedis = redis.borrow()) {
            if ("OK".equals(jedis.set(key, holderValue, SetParams.setParams().nx().px(ttl.toMillis())))) {
                return new Lease(name, true, nodeId, ttl);
            }
            return lease(name, jedis.eval(RENEW, List.of(key), List.of(holderValue, String.valueOf(ttl.toMillis()))));
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    Lease renew(String name, Duration ttl) throws ClusterUnavailableException {
        try (Jedis jedis = redis.borrow()) {
            return lease(name, jedis.eval(RENEW, List.of(key(name)), List.of(holderValue, String.valueOf(ttl.toMillis()))));
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    void release(String name) throws ClusterUnavailableException {
        try (Jedis jedis = redis.borrow()) {
            jedis.eval(RELEASE, List.of(key(name)), List.of(holderValue));
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    /** The RENEW script's answer as a lease. */
    private Lease lease(String name, Object answer) {
        List<?> fields = answer instanceof List<?> list && list.size() == 2 ? list : List.of("", 0L);
        String value = String.valueOf(fields.get(0));
        long millis = fields.get(1) instanceof Number number ? Math.max(0, number.longValue()) : 0;
        int token = value.lastIndexOf('#');
        String who = token < 0 ? value : value.substring(0, token);
        return new Lease(name, holderValue.equals(value), who,
                value.isEmpty() ? Duration.ZERO : Duration.ofMillis(millis));
    }

    private String key(String name) {
        return redis.settings().keyPrefix() + ":lease:{" + name + "}";
    }

    private ClusterUnavailableException unavailable(JedisException e) {
        redis.unreachable(e);
        return new ClusterUnavailableException("Redis unreachable: " + RedisConnection.cause(e), e);
    }
}
