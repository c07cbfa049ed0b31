package dev.switchboard.proxy.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.EndpointSupport;
import dev.switchboard.endpoint.Traffic;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * One configured proxy controller on the endpoint skeleton: agents dial in on the agent port, and
 * browsers reach their services on the browser port. Publishes each agent's lifecycle on
 * {@code tunnel:<agent>}; takes {@code close} and {@code disconnect} commands on {@code control}.
 */
@Component(configurationPid = "dev.switchboard.proxy.controller", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = ProxyControllerConfig.class, factory = true)
public class ProxyControllerAdapter extends EndpointSupport<ControllerSettings>
        implements AgentListener.Events, ProxiedExchange.Events {

    static final String PROTOCOL = "proxy-controller";

    @Reference
    private WebSocketTransport transport;

    // written under this, read by transport threads
    private volatile AgentListener agents;
    private volatile BrowserFront front;

    public ProxyControllerAdapter() {
        super(PROTOCOL);
    }

    /** Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS. */
    ProxyControllerAdapter(WebSocketTransport transport) {
        this();
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, ProxyControllerConfig config) {
        activateEndpoint(context, config, ControllerSettings::of);
    }

    @Modified
    void modified(ProxyControllerConfig config) {
        modifyEndpoint(config, ControllerSettings::of);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    // --- the protocol -------------------------------------------------------------------------

    @Override
    protected synchronized void startProtocol(ControllerSettings settings) throws IOException {
        AgentListener listener = new AgentListener(settings.id(), settings.agents(), settings.streamWindow(),
                settings.pingSeconds(), this, this::schedule);
        agents = listener;
        try {
            listener.start(transport, settings.agentHost(), settings.agentPort());
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot listen for agents on " + settings.agentHost() + ":" + settings.agentPort()
                    + ": " + e.getMessage(), e);
        }
        BrowserFront browsers = new BrowserFront(settings.id(), settings.routes(), listener, settings.openTimeout(),
                this::schedule, this);
        front = browsers;
        try {
            browsers.start(transport, settings.host(), settings.port());
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot listen for browsers on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        repeat(Duration.ofSeconds(settings.pingSeconds()), listener::keepAlive);
        updateStatus(State.ONLINE, Detail.NONE, "browsers reach http://" + hostPort(browsers.address())
                + ", agents connect to ws://" + hostPort(listener.address()) + AgentListener.PATH);
    }

    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        BrowserFront browsers = front;
        front = null;
        AgentListener listener = agents;
        agents = null;
        // the tunnels first: each browser WebSocket then gets its 1001 before the browser port closes
        if (listener != null) {
            listener.stop(restarting ? 1001 : 1000, restarting ? "controller restarting" : "controller stopped");
        }
        if (browsers != null) {
            browsers.stop();
        }
    }

    /**
     * Agents, routes and the open timeout change without a restart: tunnels of agents that stay
     * allowed are kept. Addresses, ports, window and ping interval restart the controller.
     */
    @Override
    protected synchronized boolean applyLive(ControllerSettings current, ControllerSettings next) {
        AgentListener listener = agents;
        BrowserFront browsers = front;
        boolean sameListeners = current.host().equals(next.host()) && current.port() == next.port()
                && current.agentHost().equals(next.agentHost()) && current.agentPort() == next.agentPort()
                && current.streamWindow() == next.streamWindow() && current.pingSeconds() == next.pingSeconds();
        if (!sameListeners || listener == null || browsers == null) {
            return false;
        }
        listener.agents(next.agents());
        browsers.reconfigure(next.routes(), next.openTimeout());
        return true;
    }

    /** The agents' listener while running (tests). */
    AgentListener agents() {
        return agents;
    }

    /** The browsers' side while running (tests). */
    BrowserFront front() {
        return front;
    }

    // --- lifecycle events ------------------------------------------------------------------------

    @Override
    public void agentConnected(String agent, InetSocketAddress from) {
        log.info("{}: agent {} connected from {}", id(), agent, from);
        publish(event(agent, "connected", "agent " + agent + " connected", Map.of("agent", agent,
                "address", String.valueOf(from))));
    }

    @Override
    public void agentLost(String agent, String reason) {
        log.info("{}: agent {} lost: {}", id(), agent, reason);
        publish(event(agent, "lost", "agent " + agent + " lost: " + reason, Map.of("agent", agent, "reason", reason)));
    }

    @Override
    public void webSocketOpened(ProxyRoutes.Route route, TunnelStream stream) {
        log.debug("{}: WebSocket {} of agent {} opened to {}", id(), stream.id(), route.agent(), route.service());
        publish(event(route.agent(), "opened", "WebSocket to " + route.service() + " opened",
                Map.of("agent", route.agent(), "service", route.service(), "stream", stream.id())));
    }

    @Override
    public void webSocketClosed(ProxyRoutes.Route route, TunnelStream stream, long toBrowser, long toService,
                                Duration open, String reason) {
        log.debug("{}: WebSocket {} of agent {} closed: {}", id(), stream.id(), route.agent(), reason);
        publish(event(route.agent(), "closed", "WebSocket to " + route.service() + " closed after "
                + open.toSeconds() + " s: " + reason, Map.of("agent", route.agent(), "service", route.service(),
                "stream", stream.id(), "bytesToBrowser", toBrowser, "bytesToService", toService,
                "durationMillis", open.toMillis(), "reason", reason)));
    }

    private Message event(String agent, String event, String text, Map<String, Object> data) {
        return Message.builder(id(), "tunnel:" + agent).author(agent, agent).event(event).text(text).data(data)
                .build();
    }

    // --- commands ---------------------------------------------------------------------------------

    /**
     * {@code control}: {@code disconnect} drops the agent named by the text or {@code data.agent}
     * (it reconnects on its schedule); {@code close} resets the stream {@code data.stream} of
     * {@code data.agent}, or the text {@code agent/stream}.
     */
    @Override
    protected CompletionStage<Void> deliver(Message message) {
        AgentListener listener = agents;
        if (listener == null) {
            return CompletableFuture.failedFuture(new EndpointUnavailableException(id(), "not running"));
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
        AgentTunnels agent = listener.agent(command.agent()).orElse(null);
        if (agent == null) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "agent " + command.agent()
                    + " is not connected"));
        }
        if (command.stream() == 0) {
            log.info("{}: disconnecting agent {} on a control command", id(), command.agent());
            agent.close(1000, "disconnected by a control command");
        } else if (!agent.reset(command.stream(), ResetCode.CANCEL, "closed by a control command")) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "agent " + command.agent()
                    + " has no stream " + command.stream()));
        }
        return CompletableFuture.completedFuture(null);
    }

    // --- figures ----------------------------------------------------------------------------------

    @Override
    protected Traffic traffic() {
        BrowserFront browsers = front;
        return browsers == null ? Traffic.NONE
                : new Traffic(browsers.metrics().bytesToService(), browsers.metrics().bytesToBrowser(), 0, 0);
    }

    @Override
    protected Map<String, Object> details() {
        AgentListener listener = agents;
        BrowserFront browsers = front;
        if (listener == null || browsers == null) {
            return Map.of();
        }
        Map<String, Object> perAgent = new LinkedHashMap<>();
        listener.agents().forEach((name, agent) -> perAgent.put(name, Map.of("tunnels", agent.tunnels().size(),
                "openStreams", agent.openStreams(), "bytesIn", agent.bytesIn(), "bytesOut", agent.bytesOut(),
                "roundTripMillis", agent.roundTripMillis())));
        return Map.of("agentsConnected", perAgent.size(), "agents", perAgent, "routes", browsers.metrics().snapshot());
    }

    /** The details, and the tunnel inspector: the last requests and WebSockets through the controller. */
    @Override
    public List<Table> tables() {
        BrowserFront browsers = front;
        List<Table> tables = new ArrayList<>(super.tables());
        if (browsers != null) {
            tables.add(new Table("recent requests", browsers.inspector().columns(), browsers.inspector().rows()));
        }
        return tables;
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
