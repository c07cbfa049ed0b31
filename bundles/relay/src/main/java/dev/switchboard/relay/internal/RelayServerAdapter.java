package dev.switchboard.relay.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSupport;
import dev.switchboard.endpoint.Traffic;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured relay server: a {@link RelayServer} on the endpoint skeleton. Tunnel lifecycle,
 * WebSockets and (with the request log) every HTTP request become messages on {@code tunnel:<name>};
 * routed messages on {@code control} close a WebSocket or disconnect a tunnel.
 */
@Component(configurationPid = "dev.switchboard.relay.server", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = RelayServerConfig.class, factory = true)
public class RelayServerAdapter extends EndpointSupport<RelayServer.Settings> implements RelayServer.Events {

    static final String PROTOCOL = "relay-server";

    @Reference
    private WebSocketTransport transport;

    private volatile RelayServer server;

    public RelayServerAdapter() {
        super(PROTOCOL);
    }

    /** Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS. */
    RelayServerAdapter(WebSocketTransport transport) {
        this();
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, RelayServerConfig config) {
        activateEndpoint(context, config, RelayServerAdapter::settings);
    }

    @Modified
    void modified(RelayServerConfig config) {
        modifyEndpoint(config, RelayServerAdapter::settings);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    static RelayServer.Settings settings(RelayServerConfig config) {
        String defaultTunnel = config.defaultTunnel() == null ? "" : config.defaultTunnel().trim();
        if (!defaultTunnel.isEmpty() && !Tokens.validName(defaultTunnel)) {
            throw new IllegalArgumentException("defaultTunnel must be a DNS label, got " + defaultTunnel);
        }
        List<String> tokens = config.tokens() == null ? List.of()
                : Arrays.stream(config.tokens().split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        return new RelayServer.Settings(ConfigCheck.notBlank("id", config.id()),
                ConfigCheck.notBlank("host", config.host()), ConfigCheck.port("port", config.port(), true),
                ConfigCheck.notBlank("domain", config.domain()).trim(), defaultTunnel, tokens,
                ConfigCheck.positive("maxTunnels", config.maxTunnels()),
                ConfigCheck.positive("maxWebSocketsPerTunnel", config.maxWebSocketsPerTunnel()),
                ConfigCheck.seconds("requestTimeoutSeconds", config.requestTimeoutSeconds(), 1), config.requestLog());
    }

    @Override
    protected synchronized void startProtocol(RelayServer.Settings settings) throws IOException {
        RelayServer next = new RelayServer(transport, settings, this);
        server = next;
        next.start();
        String warning = settings.tokens().isEmpty() ? " (no client tokens: no tunnel can register)" : "";
        updateStatus(State.ONLINE, Detail.NONE, "listening on http://" + settings.host() + ":" + next.port() + warning);
    }

    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        RelayServer running = server;
        server = null;
        if (running != null) {
            running.stop(restarting ? 1001 : 1000, restarting ? "Relay restarting" : "Relay shutting down");
        }
    }

    /** The running server (tests). */
    RelayServer server() {
        return server;
    }

    // --- messages -----------------------------------------------------------------------------------

    @Override
    public void event(String tunnel, String event, Map<String, Object> data) {
        publish(Message.builder(id(), "tunnel:" + tunnel).event(event).data(data).build());
    }

    @Override
    public Future<?> later(Duration delay, Runnable task) {
        return schedule(delay, task);
    }

    @Override
    public void ended(ServerCall call, int status, long bytesIn, long bytesOut) {
        RelayServer.Settings settings = settings();
        if (settings != null && settings.requestLog()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("method", call.exchange.request().method());
            data.put("host", call.exchange.request().header("Host").orElse(""));
            data.put("path", call.exchange.request().path());
            data.put("status", status);
            data.put("ms", (System.nanoTime() - call.startNanos) / 1_000_000);
            data.put("bytesIn", bytesIn);
            data.put("bytesOut", bytesOut);
            event(call.tunnel.name, "request", data);
        }
    }

    /** {@code control}: {@code close} with data {@code {connection}}, {@code disconnect} with {@code {tunnel}}. */
    @Override
    protected CompletionStage<Void> deliver(Message message) {
        RelayServer running = server;
        if (running == null) {
            return CompletableFuture.failedFuture(new EndpointUnavailableException(id(), "not listening"));
        }
        Object target = message.data() instanceof Map<?, ?> data
                ? data.get("close".equals(message.event()) ? "connection" : "tunnel") : null;
        boolean done = "control".equals(message.channel()) && target != null && switch (message.event()) {
            case "close" -> running.closeWebSocket(target.toString());
            case "disconnect" -> running.disconnect(target.toString());
            default -> false;
        };
        return done ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(new DeliveryException(id(),
                "expected control/close {connection} or control/disconnect {tunnel} naming an open one"));
    }

    @Override
    protected Traffic traffic() {
        RelayServer running = server;
        if (running == null) {
            return Traffic.NONE;
        }
        long in = 0;
        long out = 0;
        for (Tunnel tunnel : running.tunnels().values()) {
            Map<String, Object> details = tunnel.details();
            in += (Long) details.get("bytesIn");
            out += (Long) details.get("bytesOut");
        }
        return new Traffic(in, out, 0, 0);
    }

    @Override
    protected Map<String, Object> details() {
        RelayServer running = server;
        return running == null ? Map.of() : running.details();
    }

    /** The details, and the tunnel inspector: the last requests and WebSockets through the relay. */
    @Override
    public List<Table> tables() {
        RelayServer running = server;
        List<Table> tables = new ArrayList<>(super.tables());
        if (running != null) {
            tables.add(new Table("recent requests", running.inspector().columns(), running.inspector().rows()));
        }
        return tables;
    }
}
