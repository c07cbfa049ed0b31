package dev.switchboard.transport.internal;

import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.HttpHandler;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.StreamHandler;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.core.TyrusServerEndpointConfigurator;
import org.glassfish.tyrus.ext.extension.deflate.PerMessageDeflateExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket: a Grizzly {@link HttpServer} bound to the spec's host, Tyrus's WebSocket
 * filter in front of our HTTP routes. Owns its threads ({@code switchboard-ws-server-<name>…}),
 * so closing it touches no other server.
 */
final class TyrusServer implements WebSocketServer {

    private static final Logger LOG = LoggerFactory.getLogger(TyrusServer.class);
    private static final long SHUTDOWN_GRACE_MS = 1_000;
    /** The largest request head read; a larger one is refused by Grizzly's codec. */
    static final int MAX_HEAD_BYTES = 32 * 1024;
    private static final String HEADERS_PROPERTY = TyrusServer.class.getName() + ".headers";
    private static final String UPGRADE_PROPERTY = TyrusServer.class.getName() + ".upgrade";

    private final ServerSpec spec;
    private final String label;
    private final TyrusInternals internals;
    private final Consumer<TyrusServer> onClosed;
    private final HostBoundContainer container;
    private final HttpRoutes httpRoutes;
    private final StreamRoutes streamRoutes;
    private final HttpServer http;
    private final Set<String> webSocketPaths = ConcurrentHashMap.newKeySet();
    private final Set<TyrusConnection> connections = ConcurrentHashMap.newKeySet();
    private final ConnectionMetrics metrics = new ConnectionMetrics();
    private final TyrusConnection.Owner owner;
    private final ScheduledExecutorService timer;
    private volatile InetSocketAddress address;
    /** Set once by {@link #close(int, String)}: the code every connection is closed with. */
    private volatile CloseReason closing;

    private TyrusServer(ServerSpec spec, ScheduledExecutorService timer, TyrusInternals internals,
                        Consumer<TyrusServer> onClosed) {
        this.spec = spec;
        this.label = "server " + spec.name();
        this.internals = internals;
        this.onClosed = onClosed;
        this.timer = timer;
        ConnectionPolicy policy = ConnectionPolicy.of(spec);
        // a server's close frames are queued behind its other writes and flushed before the socket closes
        this.owner = new TyrusConnection.Owner(policy, timer, Runnable::run, metrics, internals, false);
        this.container = TyrusClassLoading.call(() -> new HostBoundContainer(policy.frameBufferSize(),
                "switchboard-ws-server-" + spec.name()));
        this.httpRoutes = new HttpRoutes(label);
        this.streamRoutes = new StreamRoutes(label, webSocketPaths, httpRoutes::longestPrefix);
        httpRoutes.streams(streamRoutes);
        this.http = new HttpServer();
    }

    /** Tyrus idle-timer tasks its sessions scheduled for nothing and did not run (tests). */
    long idleTimersSkipped() {
        return container.sessionScheduler().skipped();
    }

    /** Binds and starts; on any failure releases what it took (DESIGN pitfall 12) and throws. */
    static TyrusServer start(ServerSpec spec, ScheduledExecutorService timer, TyrusInternals internals,
                             Consumer<TyrusServer> onClosed) throws IOException {
        TyrusServer server = new TyrusServer(spec, timer, internals, onClosed);
        try {
            server.bind();
        } catch (IOException | RuntimeException e) {
            server.http.shutdownNow();
            server.container.stop();
            throw new IOException("cannot listen on " + spec.host() + ":" + spec.port() + ": " + e.getMessage(), e);
        }
        LOG.info("{} listening on {}", server.label, server.address);
        return server;
    }

    private void bind() throws IOException {
        String threads = "switchboard-ws-server-" + spec.name();
        http.getServerConfiguration().setName(threads);
        http.getServerConfiguration().addHttpHandler(httpRoutes);
        NetworkListener listener = new NetworkListener(spec.name(), spec.host(), spec.port());
        TCPNIOTransport transport = TCPNIOTransportBuilder.newInstance()
                .setSelectorThreadPoolConfig(ThreadPoolConfig.defaultConfig().setPoolName(threads + "-selector")
                        .setCorePoolSize(1).setMaxPoolSize(1).setDaemon(true))
                .setSelectorRunnersCount(1)
                .setWorkerThreadPoolConfig(ThreadPoolConfig.defaultConfig().setPoolName(threads)
                        .setCorePoolSize(2).setMaxPoolSize(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()))
                        .setDaemon(true))
                // frames go through Tyrus on worker threads, so a slow handler never stalls the selector;
                // byte streams stay on the selector thread (1.6x less CPU per byte than a hand-off)
                .setIOStrategy(StreamAwareIOStrategy.INSTANCE)
                // our own per-connection send queue limit (1013) decides when a client is too slow
                .setMaxAsyncWriteQueueSizeInBytes(-1)
                .build();
        listener.setTransport(transport);
        listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
        // Grizzly closes a kept-alive connection after 256 requests; browsers and proxies expect none
        listener.getKeepAlive().setMaxRequestsCount(-1);
        // Grizzly's 8 KiB would refuse heads that proxies pass on (a relay answers 431 from 16 KiB itself)
        listener.setMaxHttpHeaderSize(MAX_HEAD_BYTES);
        if (!spec.headTimeout().isZero()) {
            listener.registerAddOn(HeadTimeout.addOn(label, timer, spec.headTimeout()));
        }
        listener.registerAddOn(StreamClaimFilter.addOn(streamRoutes));
        for (AddOn addOn : internals.webSocketAddOns(container, spec.maxMessageSize())) {
            listener.registerAddOn(addOn);
        }
        http.addListener(listener);
        http.start();
        address = (InetSocketAddress) listener.getServerConnection().getLocalAddress();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void addWebSocket(String path, List<String> subprotocols, WebSocketHandler handler) {
        if (closing != null) {
            throw new IllegalStateException(label + " is closed");
        }
        if (!webSocketPaths.add(path)) {
            throw new IllegalStateException(label + " already routes WebSocket path " + path);
        }
        Route route = new Route(path, handler);
        List<Extension> extensions = spec.compression() ? List.of(new PerMessageDeflateExtension()) : List.of();
        try {
            TyrusClassLoading.call(() -> {
                container.register(ServerEndpointConfig.Builder.create(ServerRouteEndpoint.class, path)
                        .subprotocols(List.copyOf(subprotocols))
                        .extensions(extensions)
                        .configurator(new RouteConfigurator(route))
                        .build());
                return null;
            });
        } catch (DeploymentException e) {
            webSocketPaths.remove(path);
            throw new IllegalStateException(label + " cannot route " + path + ": " + e.getMessage(), e);
        }
        LOG.info("{} routes WebSocket {}", label, path);
    }

    @Override
    public void addHttp(String pathPrefix, HttpHandler handler) {
        httpRoutes.add(pathPrefix, handler);
        LOG.info("{} routes HTTP {}", label, pathPrefix);
    }

    @Override
    public void addStream(String pathPrefix, StreamHandler handler) {
        streamRoutes.add(pathPrefix, handler);
        LOG.info("{} routes streams {}", label, pathPrefix);
    }

    @Override
    public void addStreamFallback(StreamHandler handler) {
        streamRoutes.fallback(handler);
        LOG.info("{} routes every other request as a stream", label);
    }

    @Override
    public Collection<WebSocketConnection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public ConnectionMetrics metrics() {
        return metrics;
    }

    @Override
    public void close(int code, String reason) {
        synchronized (this) {
            if (closing != null) {
                return;
            }
            closing = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason);
        }
        // accept nothing more (a reconnecting client is refused), keep the connections
        for (NetworkListener listener : http.getListeners()) {
            listener.getTransport().unbindAll();
        }
        for (TyrusConnection connection : List.copyOf(connections)) {
            connection.close(code, reason);
        }
        // each peer answers our Close after what it had in flight, which is still delivered; one
        // that does not is cut off after the linger time (a loaded machine answers late, not never)
        long deadline = System.nanoTime() + TyrusConnection.LINGER.toNanos() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_GRACE_MS);
        awaitPeersClosed(deadline);
        // a graceful stop lets HTTP exchanges and handshakes in progress finish: each such
        // connection is closed as it opens (Route.open), and its peer answers like the others
        try {
            http.shutdown(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS).get(2 * SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("{} graceful stop incomplete: {}", label, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        awaitPeersClosed(deadline);
        if (!connections.isEmpty()) {
            LOG.debug("{} {} peers still closing; cut off", label, connections.size());
        }
        http.shutdownNow();
        container.stop();
        onClosed.accept(this);
        LOG.info("{} closed, {} released", label, address);
    }

    private void awaitPeersClosed(long deadline) {
        try {
            while (!connections.isEmpty() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One WebSocket path and its handler; opens a connection per accepted upgrade. */
    final class Route {

        private final String path;
        private final WebSocketHandler handler;

        Route(String path, WebSocketHandler handler) {
            this.path = path;
            this.handler = handler;
        }

        @SuppressWarnings("unchecked")
        TyrusConnection open(Session session, EndpointConfig config) {
            Map<String, Object> properties = config.getUserProperties();
            Map<String, List<String>> headers =
                    (Map<String, List<String>>) properties.getOrDefault(HEADERS_PROPERTY, Map.of());
            TyrusInternals.Upgrade upgrade = (TyrusInternals.Upgrade) properties.get(UPGRADE_PROPERTY);
            String query = session.getQueryString();
            String requested = session.getRequestURI().getRawPath() + (query == null || query.isEmpty() ? "" : "?" + query);
            TyrusConnection connection = new TyrusConnection(owner, label + " " + path, session,
                    new TyrusConnection.Handshake(requested, Map.copyOf(session.getPathParameters()), headers,
                            upgrade.peer()),
                    handler, (ended, code, reason) -> connections.remove(ended), internals.wire(upgrade, session));
            upgrade.attach(connection);
            connections.add(connection);
            CloseReason stopping = closing;
            if (stopping != null) {
                // the server began to stop during this handshake
                connection.close(stopping.getCloseCode().getCode(), stopping.getReasonPhrase());
            }
            return connection;
        }
    }

    /**
     * Tyrus's own configurator (so subprotocol and extension negotiation need no ServiceLoader
     * lookup), returning a fresh endpoint bound to this server's route and keeping the handshake
     * headers and the upgrade (the peer) for the connection.
     */
    private final class RouteConfigurator extends TyrusServerEndpointConfigurator {

        private final Route route;

        RouteConfigurator(Route route) {
            this.route = route;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(new ServerRouteEndpoint(route));
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.getHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
            config.getUserProperties().put(HEADERS_PROPERTY, headers);
            config.getUserProperties().put(UPGRADE_PROPERTY, internals.upgradeOf(request));
        }
    }
}
