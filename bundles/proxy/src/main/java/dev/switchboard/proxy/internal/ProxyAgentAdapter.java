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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured proxy agent on the endpoint skeleton: keeps a tunnel to its controller and serves
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
    private volatile ProxyAgent agent;
    private volatile String name = "";

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

    @Override
    protected synchronized void startProtocol(AgentSettings settings) {
        name = settings.name();
        ServiceConnector services = new ServiceConnector(settings.services(), transport);
        ProxyAgent next = new ProxyAgent(settings.id(), settings.controllerUrl(), settings.name(), settings.token(),
                settings.streamWindow(), services, this);
        agent = next;
        next.start(transport);
        repeat(KEEPALIVE_CHECK, next::keepAlive);
        updateStatus(State.CONNECTING, Detail.NONE, "connecting to " + settings.controllerUrl());
    }

    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        ProxyAgent running = agent;
        agent = null;
        if (running != null) {
            running.stop(restarting ? 1001 : 1000, restarting ? "agent restarting" : "agent stopped");
        }
    }

    /** The tunnel client while running (tests). */
    ProxyAgent agent() {
        return agent;
    }

    // --- lifecycle events ------------------------------------------------------------------------

    @Override
    public void connected(String controller) {
        log.info("{}: tunnel to {} open", id(), controller);
        updateStatus(State.ONLINE, Detail.NONE, "tunnel to " + controller + " open");
        publish(event("connected", "tunnel to " + controller + " open", Map.of("controller", controller)));
    }

    @Override
    public void lost(String reason) {
        log.info("{}: tunnel lost: {}", id(), reason);
        updateStatus(State.CONNECTING, Detail.COMMUNICATION_ERROR, "tunnel lost: " + reason);
        publish(event("lost", "tunnel lost: " + reason, Map.of("reason", reason)));
    }

    @Override
    public void refused(int code, String reason) {
        updateStatus(State.OFFLINE, code == 4401 ? Detail.AUTHENTICATION_FAILED : Detail.CONFIGURATION_ERROR,
                "refused by the controller: " + reason);
        publish(event("lost", "refused by the controller: " + reason, Map.of("reason", reason, "code", code)));
    }

    @Override
    public void retrying(Duration delay, String reason) {
        if (status().state() != State.OFFLINE) {
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
        ProxyAgent running = agent;
        Tunnel tunnel = running == null ? null : running.tunnel();
        if (tunnel == null) {
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
            running.disconnect("disconnected by a control command");
        } else if (!tunnel.reset(command.stream(), ResetCode.CANCEL, "closed by a control command")) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "no stream " + command.stream()));
        }
        return CompletableFuture.completedFuture(null);
    }

    // --- figures ----------------------------------------------------------------------------------

    @Override
    protected Traffic traffic() {
        ProxyAgent running = agent;
        Tunnel tunnel = running == null ? null : running.tunnel();
        return tunnel == null ? Traffic.NONE : new Traffic(tunnel.bytesIn(), tunnel.bytesOut(), 0, 0);
    }

    @Override
    protected Map<String, Object> details() {
        ProxyAgent running = agent;
        Tunnel tunnel = running == null ? null : running.tunnel();
        if (tunnel == null) {
            return Map.of("connected", false);
        }
        return Map.of("connected", true, "openStreams", tunnel.openStreams(),
                "roundTripMillis", tunnel.roundTripMillis());
    }
}
