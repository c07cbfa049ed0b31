package dev.switchboard.transport.internal;

import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.Heartbeat;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.StreamResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.ServiceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WebSocketTransport} service on Tyrus. Bundle-scoped: each using bundle gets its own
 * instance, and everything that instance opened is closed when the bundle lets go of it. Usable
 * without OSGi too: {@code new TyrusTransport()}, then {@link #close()}.
 *
 * <p>Threads: one timer ({@code switchboard-transport-timer-1}) for keepalive, timeouts, retries
 * and heartbeats; connect attempts block in Tyrus, so they run on
 * {@code switchboard-transport-connect-<n>}, as do client closes (see {@link TyrusClient#close()});
 * outgoing byte streams run on {@code switchboard-transport-streams}.
 */
@Component(service = WebSocketTransport.class, scope = ServiceScope.BUNDLE)
public final class TyrusTransport implements WebSocketTransport, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TyrusTransport.class);
    /**
     * How long close() lets connect attempts still inside Tyrus finish (they clean up after
     * themselves), and clients' close handshakes (answered in milliseconds, given up after
     * {@link TyrusConnection#LINGER}).
     */
    private static final long CONNECT_DRAIN_MS = TyrusConnection.LINGER.toMillis() + 1_000;

    private final TyrusInternals internals;
    private final TyrusInternals.Quieting quietTyrusErrors;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService connector;
    private final Set<TyrusClient> clients = ConcurrentHashMap.newKeySet();
    private final Set<TyrusServer> servers = ConcurrentHashMap.newKeySet();
    /** Outgoing byte streams, made on first use. */
    private StreamConnector streams;
    private volatile boolean closed;

    public TyrusTransport() {
        this(TyrusInternals.DETECTED);
    }

    /** With some of Tyrus's internals switched off, for tests of the fallbacks. */
    TyrusTransport(TyrusInternals internals) {
        this.internals = internals;
        quietTyrusErrors = TyrusInternals.quietTyrusErrorLog();
        timer = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("switchboard-transport-timer"));
        timer.setRemoveOnCancelPolicy(true);
        connector = Executors.newCachedThreadPool(new NamedThreadFactory("switchboard-transport-connect"));
    }

    @Override
    public WebSocketClient connect(ClientSpec spec, ClientHandler handler) {
        checkOpen();
        TyrusClient client = new TyrusClient(spec, handler, timer, connector, internals, clients::remove);
        clients.add(client);
        client.start();
        return client;
    }

    @Override
    public WebSocketServer listen(ServerSpec spec) throws IOException {
        checkOpen();
        TyrusServer server = TyrusServer.start(spec, timer, internals, servers::remove);
        servers.add(server);
        return server;
    }

    @Override
    public CompletionStage<StreamResponse> openStream(InetSocketAddress address, RequestHead request, Duration timeout,
                                                      Consumer<ByteSink> body) {
        checkOpen();
        StreamConnector connector;
        try {
            connector = streamConnector();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connector.open(address, request, timeout, body);
    }

    @Override
    public CompletionStage<StreamResponse> sendOn(ByteStream stream, RequestHead request, Duration timeout,
                                                  Consumer<ByteSink> body) {
        checkOpen();
        if (!(stream instanceof GrizzlyByteStream kept)) {
            throw new IllegalArgumentException("not a stream of this transport: " + stream);
        }
        try {
            return streamConnector().send(kept, request, timeout, body);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private synchronized StreamConnector streamConnector() throws IOException {
        if (streams == null) {
            streams = new StreamConnector(timer);
        }
        return streams;
    }

    @Override
    public Heartbeat heartbeat(String name, Duration interval, Runnable beat) {
        checkOpen();
        return new Heartbeat(name, interval, beat, timer);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the WebSocket transport is closed");
        }
    }

    @Deactivate
    void deactivate() {
        close();
    }

    /** Closes every client and server this instance opened, then its own threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List.copyOf(clients).forEach(TyrusClient::close);
        List.copyOf(servers).forEach(TyrusServer::close);
        synchronized (this) {
            if (streams != null) {
                streams.close();
            }
        }
        connector.shutdown();
        try {
            if (!connector.awaitTermination(CONNECT_DRAIN_MS, TimeUnit.MILLISECONDS)) {
                connector.shutdownNow();
            }
        } catch (InterruptedException e) {
            connector.shutdownNow();
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        quietTyrusErrors.close();
        LOG.info("WebSocket transport closed");
    }
}
