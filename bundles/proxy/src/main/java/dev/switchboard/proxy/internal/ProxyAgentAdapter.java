package dev.switchboard.proxy.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.EndpointSupport;
import dev.switchboard.endpoint.Traffic;
import dev.switchboard.transport.WebSocketTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured proxy agent on the endpoint skeleton: keeps its tunnel connections to its controller and serves
 * the controller's streams with its services. Publishes the tunnel's lifecycle on
 * {@code tunnel:<name>}; takes {@code close} and {@code disconnect} commands on {@code control}.
 */
@Component(configurationPid = "dev.switchboard.proxy.agent", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = ProxyAgentConfig.class, factory = true)
public class ProxyAgentAdapter extends EndpointSupport<AgentSettings> implements ProxyAgent.Events {

    static final String PROTOCOL = "proxy-agent";
    static final Duration KEEPALIVE_CHECK = Duration.ofSeconds(30);

    @Reference
    private WebSocketTransport transport;

    // written under this, read by transport threads
    private volatile List<ProxyAgent> tunnels = List.of();
    private volatile String name = "";
    /** Whether "connected" was the last lifecycle event published; guarded by itself. */
    private final AtomicBoolean reportedOnline = new AtomicBoolean();
    /** Orders the tunnel counts logged and reported (see {@link #connected}). */
    private final Object tunnelCount = new Object();

    public ProxyAgentAdapter() {
        super(PROTOCOL);
    }

    /** Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS. */
    ProxyAgentAdapter(WebSocketTransport transport) {
        this();
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, ProxyAgentConfig config) {
        activateEndpoint(context, config, AgentSettings::of);
    }

    @Modified
    void modified(ProxyAgentConfig config) {
        modifyEndpoint(config, AgentSettings::of);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    // --- the protocol -------------------------------------------------------------------------

    /** One {@link ProxyAgent} per tunnel connection, all of one instance (PROTOCOL.md §1). */
    @Override
    protected synchronized void startProtocol(AgentSettings settings) {
        name = settings.name();
        ServiceConnector services = new ServiceConnector(settings.services(), transport);
        String instance = UUID.randomUUID().toString();
        List<ProxyAgent> next = new ArrayList<>();
        for (int i = 0; i < settings.tunnels(); i++) {
            next.add(new ProxyAgent(settings.id(), settings.controllerUrl(), new ProxyCodec.Hello(settings.name(),
                    settings.token(), settings.streamWindow(), ProxyAgent.MAX_FRAME, instance, i, settings.tunnels()),
                    services, this));
        }
        tunnels = List.copyOf(next);
        next.forEach(tunnel -> {
            tunnel.start(transport);
            repeat(KEEPALIVE_CHECK, tunnel::keepAlive);
        });
        updateStatus(State.CONNECTING, Detail.NONE, "connecting to " + settings.controllerUrl());
    }

    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        List<ProxyAgent> running = tunnels;
        tunnels = List.of();
        running.forEach(tunnel -> tunnel.stop(restarting ? 1001 : 1000, restarting ? "agent restarting"
                : "agent stopped"));
    }

    /** The tunnel connections while running (tests). */
    List<ProxyAgent> connections() {
        return tunnels;
    }

    /** The open tunnel connections. */
    private List<Tunnel> open() {
        return tunnels.stream().map(ProxyAgent::tunnel).filter(Objects::nonNull).toList();
    }

    private String openText(String controller) {
        int all = tunnels.size();
        return all == 1 ? "tunnel to " + controller + " open"
                : open().size() + " of " + all + " tunnels to " + controller + " open";
    }

    // --- lifecycle events ------------------------------------------------------------------------

    @Override
    public void connected(String controller) {
        // tunnels open on threads of their own: counted and told one at a time, the last count last
        synchronized (tunnelCount) {
            String open = openText(controller);
            log.info("{}: {}", id(), open);
            updateStatus(State.ONLINE, Detail.NONE, open);
        }
        if (!reportedOnline.getAndSet(true)) {
            publish(event("connected", "tunnel to " + controller + " open", Map.of("controller", controller)));
        }
    }

    /** One tunnel connection lost: its streams ended; the agent is lost once none is left. */
    @Override
    public void lost(String reason) {
        int left;
        synchronized (tunnelCount) {
            left = open().size();
            log.info("{}: tunnel lost ({} of {} open): {}", id(), left, tunnels.size(), reason);
        }
        if (left > 0) {
            return;
        }
        updateStatus(State.CONNECTING, Detail.COMMUNICATION_ERROR, "tunnel lost: " + reason);
        if (reportedOnline.getAndSet(false)) {
            publish(event("lost", "tunnel lost: " + reason, Map.of("reason", reason)));
        }
    }

    @Override
    public void refused(int code, String reason) {
        reportedOnline.set(!open().isEmpty());
        updateStatus(State.OFFLINE, code == 4401 ? Detail.AUTHENTICATION_FAILED : Detail.CONFIGURATION_ERROR,
                "refused by the controller: " + reason);
        publish(event("lost", "refused by the controller: " + reason, Map.of("reason", reason, "code", code)));
    }

    @Override
    public void retrying(Duration delay, String reason) {
        if (status().state() != State.OFFLINE && open().isEmpty()) {
            updateStatus(State.CONNECTING, Detail.COMMUNICATION_ERROR, reason + "; retrying in "
                    + delay.toMillis() + " ms");
        }
    }

    private Message event(String event, String text, Map<String, Object> data) {
        return Message.builder(id(), "tunnel:" + name).author(name, name).event(event).text(text).data(data).build();
    }

    // --- commands ---------------------------------------------------------------------------------

    /**
     * {@code control}: {@code disconnect} (this agent's name) drops the tunnel, which reconnects on
     * its schedule; {@code close} resets one stream, {@code name/id} or {@code data.stream}.
     */
    @Override
    protected CompletionStage<Void> deliver(Message message) {
        List<Tunnel> open = open();
        if (open.isEmpty()) {
            return CompletableFuture.failedFuture(new EndpointUnavailableException(id(), "tunnel not open"));
        }
        if (!"control".equals(message.channel())) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "only the control channel takes "
                    + "messages, not " + message.channel()));
        }
        ControlCommand command;
        try {
            command = ControlCommand.of(message);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), e.getMessage()));
        }
        if (!command.agent().equals(name)) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "this agent is " + name + ", not "
                    + command.agent()));
        }
        if (command.stream() == 0) {
            tunnels.forEach(tunnel -> tunnel.disconnect("disconnected by a control command"));
        } else if (open.stream().noneMatch(tunnel -> tunnel.reset(command.stream(), ResetCode.CANCEL,
                "closed by a control command"))) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "no stream " + command.stream()));
        }
        return CompletableFuture.completedFuture(null);
    }

    // --- figures ----------------------------------------------------------------------------------

    @Override
    protected Traffic traffic() {
        List<Tunnel> open = open();
        return new Traffic(open.stream().mapToLong(Tunnel::bytesIn).sum(),
                open.stream().mapToLong(Tunnel::bytesOut).sum(), 0, 0);
    }

    @Override
    protected Map<String, Object> details() {
        List<Tunnel> open = open();
        if (open.isEmpty()) {
            return Map.of("connected", false);
        }
        return Map.of("connected", true, "tunnels", open.size(),
                "openStreams", open.stream().mapToInt(Tunnel::openStreams).sum(),
                "roundTripMillis", open.stream().mapToDouble(Tunnel::roundTripMillis).max().orElse(-1));
    }
}
