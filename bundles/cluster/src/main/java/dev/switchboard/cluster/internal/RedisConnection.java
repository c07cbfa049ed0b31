package dev.switchboard.cluster.internal;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.Subscription;
import dev.switchboard.transport.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * This node's way to Redis: a pool of connections, whether Redis can be reached and why not. A
 * prober thread pings Redis every few seconds while it answers, and with the transport's backoff
 * while it does not; a caller whose call failed on the network says so ({@link #unreachable}), so
 * the status changes at once. Nothing here connects before {@link #start}, and nothing blocks it.
 */
final class RedisConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);

    /** How often a reachable Redis is pinged, so a silent loss shows within this time. */
    private static final Duration PROBE_PERIOD = Duration.ofSeconds(5);

    private final RedisSettings settings;
    private final Backoff backoff;
    private final HostAndPort address;
    private final JedisClientConfig clientConfig;
    private final JedisPool pool;
    private final List<Consumer<EndpointStatus>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final Thread prober;
    // guarded by lock
    private EndpointStatus status;
    private boolean probeNow;
    private boolean closed;

    RedisConnection(RedisSettings settings, Backoff backoff) {
        this.settings = settings;
        this.backoff = backoff;
        this.address = new HostAndPort(settings.host(), settings.port());
        int timeout = (int) settings.timeout().toMillis();
        this.clientConfig = DefaultJedisClientConfig.builder().user(settings.user()).password(settings.password())
                .database(settings.database()).ssl(settings.tls()).connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout).clientName("switchboard")
                // RESP2, as the server speaks by default: Jedis warned once per connection that it would not negotiate RESP3
                .serverDefaultProtocol().build();
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(16);
        poolConfig.setMaxIdle(4);
        poolConfig.setMinIdle(0);
        poolConfig.setJmxEnabled(false);
        this.pool = new JedisPool(poolConfig, address, clientConfig);
        this.status = EndpointStatus.connecting("connecting to " + settings.address());
        this.prober = new Thread(this::probe, "switchboard-cluster-probe");
        this.prober.setDaemon(true);
    }

    void start() {
        prober.start();
    }

    RedisSettings settings() {
        return settings;
    }

    /** A pooled connection; close it to give it back. Throws a JedisException when Redis cannot be reached. */
    Jedis borrow() {
        return pool.getResource();
    }

    /** A connection of its own, for a caller that keeps it (the subscriber). Connects on first use. */
    Jedis dedicated() {
        return new Jedis(address, clientConfig);
    }

    EndpointStatus status() {
        synchronized (lock) {
            return status;
        }
    }

    boolean online() {
        return status().state() == EndpointStatus.State.ONLINE;
    }

    Subscription watch(Consumer<EndpointStatus> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * A call failed on the network (or was refused): Redis is unreachable until the prober reaches
     * it again. Only the first failure counts; while Redis is away the prober retries with its backoff.
     */
    void unreachable(Exception failure) {
        synchronized (lock) {
            if (closed || status.state() != EndpointStatus.State.ONLINE) {
                return;
            }
            probeNow = true;
            lock.notifyAll();
        }
        setStatus(failed(failure, ""));
    }

    /** Waits until Redis can be reached, at most {@code timeout}; true when it can. */
    boolean awaitOnline(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!closed && status.state() != EndpointStatus.State.ONLINE) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return !closed;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        prober.interrupt();
        pool.close();
    }

    private void probe() {
        int attempt = 0;
        while (true) {
            Duration wait;
            try (Jedis jedis = pool.getResource()) {
                jedis.ping();
                attempt = 0;
                setStatus(EndpointStatus.online("connected to " + settings.address()));
                wait = PROBE_PERIOD;
            } catch (RuntimeException e) {
                attempt++;
                wait = backoff.delay(attempt, ThreadLocalRandom.current()::nextDouble);
                setStatus(failed(e, ", retry in " + Math.max(1, wait.toSeconds()) + " s"));
            }
            synchronized (lock) {
                long deadline = System.nanoTime() + wait.toNanos();
                while (!closed && !probeNow) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                probeNow = false;
            }
        }
    }

    private EndpointStatus failed(Exception failure, String retry) {
        if (failure instanceof JedisAccessControlException || failure instanceof JedisDataException
                && String.valueOf(failure.getMessage()).matches("(?s)^(WRONGPASS|NOAUTH|NOPERM).*")) {
            return EndpointStatus.offline(Detail.AUTHENTICATION_FAILED,
                    "Redis refused the credentials: " + cause(failure) + retry);
        }
        return EndpointStatus.offline(Detail.COMMUNICATION_ERROR, "Redis unreachable: " + cause(failure) + retry);
    }

    /**
     * The innermost message: "Connection refused" rather than Jedis's "Failed to connect to …"
     * (which keeps the reason of each address it tried as a suppressed exception).
     */
    static String cause(Throwable failure) {
        Throwable inner = failure;
        while (true) {
            if (inner.getCause() != null && inner.getCause() != inner) {
                inner = inner.getCause();
            } else if (inner.getSuppressed().length > 0) {
                inner = inner.getSuppressed()[0];
            } else {
                break;
            }
        }
        String message = inner.getMessage();
        return message == null || message.isBlank() ? inner.getClass().getSimpleName() : message;
    }

    private void setStatus(EndpointStatus next) {
        synchronized (lock) {
            if (closed || next.sameAs(status)) {
                return;
            }
            // one log line per change: a retry countdown alone is not a change worth a line
            boolean logged = next.state() != status.state() || next.detail() != status.detail();
            status = next;
            lock.notifyAll();
            if (logged) {
                if (next.state() == EndpointStatus.State.ONLINE) {
                    LOG.info("cluster: {}", next.reason());
                } else {
                    LOG.warn("cluster: {}", next.reason());
                }
            }
        }
        for (Consumer<EndpointStatus> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("cluster: status listener failed: {}", e.toString());
            }
        }
    }
}
