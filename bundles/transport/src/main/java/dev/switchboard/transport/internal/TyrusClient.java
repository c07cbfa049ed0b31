package dev.switchboard.transport.internal;

import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientContainer;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientProperties;
import org.glassfish.tyrus.ext.extension.deflate.PerMessageDeflateExtension;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reconnecting Tyrus client. Every attempt and every open connection carries a generation
 * number; an event from an older generation (a late handshake, a timer that lost a race, the
 * close of a connection that was dropped) is ignored, so the state machine below only ever acts
 * on the current attempt.
 *
 * <p>Nothing that talks to Tyrus runs under this object's lock or on the caller's thread when it
 * could be one of Tyrus's: connects, closes and the final shutdown run on the transport's
 * connector threads, so every method is safe from inside the handler's callbacks.
 */
final class TyrusClient implements WebSocketClient {

    private static final Logger LOG = LoggerFactory.getLogger(TyrusClient.class);

    private record Retry(int attempt, Duration delay, String reason, long generation) {
    }

    private final ClientSpec spec;
    private final ClientHandler handler;
    private final ScheduledExecutorService timer;
    private final Executor connector;
    private final Consumer<TyrusClient> onClosed;
    private final ClientManager tyrus;
    private final ConnectionMetrics metrics = new ConnectionMetrics();
    private final TyrusConnection.Owner owner;
    private final String label;

    // guarded by this
    private State state = State.CONNECTING;
    private long generation;
    private int attempt;
    private boolean everOpened;
    private TyrusConnection connection;
    private ScheduledFuture<?> pendingTimer;

    TyrusClient(ClientSpec spec, ClientHandler handler, ScheduledExecutorService timer, Executor connector,
                TyrusInternals internals, Consumer<TyrusClient> onClosed) {
        this.spec = spec;
        this.handler = handler;
        this.timer = timer;
        this.connector = connector;
        this.onClosed = onClosed;
        ConnectionPolicy policy = ConnectionPolicy.of(spec);
        this.owner = new TyrusConnection.Owner(policy, timer, this::offThread, metrics, internals, true);
        this.label = "client " + spec.name();
        this.tyrus = TyrusClassLoading.call(() -> ClientManager.createClient(GrizzlyClientContainer.class.getName()));
        Map<String, Object> properties = tyrus.getProperties();
        properties.put(ClientProperties.HANDSHAKE_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, spec.connectTimeout().toMillis()));
        properties.put(ClientProperties.INCOMING_BUFFER_SIZE, policy.frameBufferSize());
        // Tyrus gives each connection its own Grizzly transport; name its workers after us.
        properties.put(GrizzlyClientProperties.WORKER_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
                .setPoolName("switchboard-ws-client-" + spec.name()).setCorePoolSize(2).setMaxPoolSize(2).setDaemon(true));
    }

    void start() {
        long attemptGeneration;
        synchronized (this) {
            attemptGeneration = beginAttempt();
        }
        submit(attemptGeneration);
    }

    // guarded by this
    private long beginAttempt() {
        state = State.CONNECTING;
        long attemptGeneration = ++generation;
        pendingTimer = timer.schedule(() -> attemptFailed(attemptGeneration,
                        "connect timed out after " + TyrusConnection.describe(spec.connectTimeout())),
                spec.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return attemptGeneration;
    }

    private void submit(long attemptGeneration) {
        connectAfter(null, null, attemptGeneration);
    }

    /** On a connector thread: closes {@code dropped} (when not null) with 1001, then connects. */
    private void connectAfter(TyrusConnection dropped, String reason, long attemptGeneration) {
        try {
            connector.execute(() -> {
                if (dropped != null) {
                    dropped.closeNow(CloseReason.CloseCodes.GOING_AWAY.getCode(), reason, false);
                }
                connect(attemptGeneration);
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("{} not connecting: transport closed", label);
        }
    }

    /** Runs {@code task} on a connector thread; in place once the transport stopped them (it is closing). */
    private void offThread(Runnable task) {
        try {
            connector.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void connect(long attemptGeneration) {
        LOG.info("{} connecting to {}", label, safeAddress(spec.uri()));
        ClientEndpoint endpoint = new ClientEndpoint(attemptGeneration);
        try {
            TyrusClassLoading.call(() -> tyrus.connectToServer(endpoint, endpoint.config(), spec.uri()));
        } catch (Exception e) {
            attemptFailed(attemptGeneration, "connect failed: " + rootMessage(e));
        }
    }

    private void attemptFailed(long attemptGeneration, String reason) {
        Retry retry;
        synchronized (this) {
            if (state != State.CONNECTING || generation != attemptGeneration) {
                return;
            }
            retry = planRetry(reason, null);
        }
        announce(retry);
    }

    /** The current connection ended; unless the client was closed, schedule the next attempt. */
    private void connectionEnded(long connectionGeneration, int code, String reason) {
        Retry retry;
        synchronized (this) {
            if (state != State.OPEN || generation != connectionGeneration) {
                return;
            }
            connection = null;
            retry = planRetry("connection closed: " + code + (reason.isEmpty() ? "" : " " + reason), null);
        }
        announce(retry);
    }

    /**
     * The next attempt after {@code delay}, or after the schedule's next delay when null. A retry
     * that replaces a pending one keeps its attempt number.
     */
    // guarded by this
    private Retry planRetry(String reason, Duration delay) {
        cancelTimer();
        if (state != State.RETRY_WAIT) {
            attempt++;
        }
        Duration wait = delay != null ? delay : spec.backoff().delay(attempt, ThreadLocalRandom.current()::nextDouble);
        state = State.RETRY_WAIT;
        return new Retry(attempt, wait, reason, ++generation);
    }

    /**
     * Drops the open connection, the attempt or the pending retry: their events are stale from
     * here on. Returns the open connection, for the caller to close off this lock.
     */
    // guarded by this
    private TyrusConnection drop() {
        cancelTimer();
        generation++;
        TyrusConnection dropped = state == State.OPEN ? connection : null;
        connection = null;
        return dropped;
    }

    /** Tells the handler before the wait starts, then starts it (unless something moved on meanwhile). */
    private void announce(Retry retry) {
        LOG.info("{} {}; attempt {} in {} ms", label, retry.reason(), retry.attempt(), retry.delay().toMillis());
        try {
            handler.onRetryScheduled(retry.attempt(), retry.delay(), retry.reason());
        } catch (RuntimeException e) {
            metrics.error();
            LOG.warn("{} handler onRetryScheduled threw {}", label, e.toString());
        }
        synchronized (this) {
            if (state == State.RETRY_WAIT && generation == retry.generation()) {
                pendingTimer = timer.schedule(() -> retryNow(retry.generation()), retry.delay().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private void retryNow(long retryGeneration) {
        long attemptGeneration;
        synchronized (this) {
            if (state != State.RETRY_WAIT || generation != retryGeneration) {
                return;
            }
            attemptGeneration = beginAttempt();
        }
        submit(attemptGeneration);
    }

    /** Called from Tyrus's onOpen; returns the connection, or null when this attempt is stale. */
    private TyrusConnection opened(long attemptGeneration, Session session, Map<String, List<String>> headers) {
        if (handler.neverBlocks()) {
            owner.internals().keepClientOnSelector(session);
        }
        TyrusConnection opened = new TyrusConnection(owner, label, session, handshake(headers), handler,
                (closed, code, reason) -> connectionEnded(attemptGeneration, code, reason), null);
        synchronized (this) {
            if (state != State.CONNECTING || generation != attemptGeneration) {
                opened = null;
            } else {
                cancelTimer();
                state = State.OPEN;
                connection = opened;
                if (everOpened) {
                    metrics.reconnect();
                }
                everOpened = true;
                if (!spec.stableAfter().isZero()) {
                    pendingTimer = timer.schedule(() -> stable(attemptGeneration), spec.stableAfter().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
        }
        if (opened == null) {
            offThread(() -> closeQuietly(session, "Superseded attempt"));
        }
        return opened;
    }

    private synchronized void stable(long connectionGeneration) {
        if (state == State.OPEN && generation == connectionGeneration) {
            attempt = 0;
        }
    }

    /** Attempts since the schedule last started over; 0 once a connection proved stable (tests). */
    synchronized int attempt() {
        return attempt;
    }

    private TyrusConnection.Handshake handshake(Map<String, List<String>> headers) {
        URI uri = spec.uri();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        int port = uri.getPort() > 0 ? uri.getPort() : "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return new TyrusConnection.Handshake(path, Map.of(), headers, new InetSocketAddress(uri.getHost(), port));
    }

    // guarded by this
    private void cancelTimer() {
        if (pendingTimer != null) {
            pendingTimer.cancel(false);
            pendingTimer = null;
        }
    }

    @Override
    public synchronized State state() {
        return state;
    }

    @Override
    public synchronized Optional<WebSocketConnection> connection() {
        return Optional.ofNullable(state == State.OPEN ? connection : null);
    }

    @Override
    public CompletionStage<Void> sendText(String text) {
        TyrusConnection current;
        State now;
        synchronized (this) {
            current = connection;
            now = state;
        }
        if (current == null) {
            return CompletableFuture.failedFuture(new IOException(label + " is not connected (" + now + ")"));
        }
        return current.sendText(text);
    }

    @Override
    public void reconnect(String reason) {
        TyrusConnection current;
        synchronized (this) {
            current = state == State.OPEN ? connection : null;
        }
        if (current != null) {
            LOG.info("{} reconnecting: {}", label, reason);
            current.close(CloseReason.CloseCodes.GOING_AWAY.getCode(), reason);
        }
    }

    @Override
    public void reconnectNow(String reason) {
        TyrusConnection dropped;
        long attemptGeneration;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            dropped = drop();
            attempt = 0;
            attemptGeneration = beginAttempt();
        }
        LOG.info("{} reconnecting now: {}", label, reason);
        connectAfter(dropped, reason, attemptGeneration);
    }

    @Override
    public void reconnectNotBefore(Duration delay, String reason) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        TyrusConnection dropped;
        Retry retry;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            dropped = drop();
            retry = planRetry(reason, delay);
        }
        if (dropped == null) {
            announce(retry);
        } else {
            // the handler hears of the close before the retry, as on any other loss
            offThread(() -> {
                dropped.closeNow(CloseReason.CloseCodes.GOING_AWAY.getCode(), reason, false);
                announce(retry);
            });
        }
    }

    @Override
    public synchronized void resetBackoff() {
        attempt = 0;
    }

    @Override
    public ConnectionMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        TyrusConnection current;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            current = drop();
            state = State.CLOSED;
        }
        offThread(() -> {
            boolean interrupted = false;
            if (current != null) {
                // the server answers our Close after what it had in flight, which is still delivered
                current.closeNow(CloseReason.CloseCodes.NORMAL_CLOSURE.getCode(), "Client closed", true);
                boolean answered;
                try {
                    answered = current.awaitEnded(TyrusConnection.LINGER.plusSeconds(1));
                } catch (InterruptedException e) {
                    // the transport is closing: end the handshake now, then shut down as usual
                    answered = false;
                    interrupted = true;
                }
                if (!answered) {
                    current.closeNow(CloseReason.CloseCodes.NORMAL_CLOSURE.getCode(), "Client closed", false);
                }
            }
            // an interrupted shutdown leaves Tyrus's threads behind
            Thread.interrupted();
            tyrus.shutdown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("{} closed", label);
        });
        onClosed.accept(this);
    }

    private void closeQuietly(Session session, String reason) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, reason));
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} closing a stale session failed: {}", label, e.toString());
        }
    }

    /** scheme://host:port/path only: query strings often carry tokens. */
    private static String safeAddress(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    /** One attempt's endpoint: its configurator adds the headers and keeps the response headers. */
    private final class ClientEndpoint extends ConnectionEndpoint {

        private final long attemptGeneration;
        private volatile Map<String, List<String>> responseHeaders = Map.of();

        ClientEndpoint(long attemptGeneration) {
            this.attemptGeneration = attemptGeneration;
        }

        ClientEndpointConfig config() {
            List<Extension> extensions = spec.compression() ? List.of(new PerMessageDeflateExtension()) : List.of();
            return ClientEndpointConfig.Builder.create()
                    .preferredSubprotocols(spec.subprotocols())
                    .extensions(extensions)
                    .configurator(new ClientEndpointConfig.Configurator() {
                        @Override
                        public void beforeRequest(Map<String, List<String>> headers) {
                            spec.headers().forEach((name, value) -> headers.put(name, List.of(value)));
                        }

                        @Override
                        public void afterResponse(HandshakeResponse response) {
                            Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                            response.getHeaders().forEach((name, values) -> copy.put(name, List.copyOf(values)));
                            responseHeaders = copy;
                        }
                    })
                    .build();
        }

        @Override
        TyrusConnection open(Session session, EndpointConfig config) {
            return opened(attemptGeneration, session, responseHeaders);
        }

        @Override
        void failedBeforeOpen(Throwable error) {
            LOG.debug("{} error before open: {}", label, error.toString());
        }
    }
}
