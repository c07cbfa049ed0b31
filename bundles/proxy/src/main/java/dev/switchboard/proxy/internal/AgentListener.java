package dev.switchboard.proxy.internal;

import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side for agents: listens on {@code /_agent}, checks each agent's hello
 * (PROTOCOL.md §1, §5) and holds the {@link AgentTunnels} of one instance per agent name, the newest
 * instance winning.
 */
final class AgentListener implements WebSocketHandler {

    static final String PATH = "/_agent";
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_FRAME = 262_144;
    private static final String TUNNEL = "proxy.tunnel";
    private static final Logger AUDIT = LoggerFactory.getLogger("dev.switchboard.proxy.audit");

    /** What the listener tells its controller. */
    interface Events {
        void agentConnected(String agent, InetSocketAddress from);

        void agentLost(String agent, String reason);
    }

    /** Runs a task later on the endpoint's scheduler; cancelling the future forgets it. */
    interface Scheduler {
        Future<?> schedule(Duration delay, Runnable task);
    }

    private final String endpointId;
    private volatile Map<String, byte[]> tokens;
    private final int window;
    private final int pingSeconds;
    private final Events events;
    private final Scheduler scheduler;
    // changed under this, read without
    private final Map<String, AgentTunnels> agents = new ConcurrentHashMap<>();
    private volatile WebSocketServer server;

    AgentListener(String endpointId, Map<String, String> agents, int window, int pingSeconds, Events events,
                  Scheduler scheduler) {
        this.endpointId = endpointId;
        this.tokens = tokens(agents);
        this.window = window;
        this.pingSeconds = pingSeconds;
        this.events = events;
        this.scheduler = scheduler;
    }

    void start(WebSocketTransport transport, String host, int port) throws IOException {
        WebSocketServer next = transport.listen(ServerSpec.builder(endpointId + ".agents").host(host).port(port)
                .maxMessageSize(4 * MAX_FRAME).pingInterval(Duration.ZERO).compression(false)
                .sendQueueLimit(4 * TunnelWriter.MESSAGES_IN_FLIGHT).build());
        next.addWebSocket(PATH, this);
        server = next;
    }

    /** Closes every tunnel with {@code code} and releases the port. */
    void stop(int code, String reason) {
        WebSocketServer running = server;
        server = null;
        agents.values().forEach(agent -> agent.close(code, reason));
        if (running != null) {
            running.close(code, reason);
        }
    }

    /**
     * Takes a new list of agents while running: an agent no longer listed, or whose token changed,
     * is closed with 4401 and must authenticate anew; the others keep their tunnels.
     */
    void agents(Map<String, String> allowed) {
        Map<String, byte[]> next = tokens(allowed);
        Map<String, byte[]> previous = tokens;
        tokens = next;
        agents.forEach((name, agent) -> {
            if (!MessageDigest.isEqual(previous.get(name), next.get(name))) {
                agent.close(4401, "agent " + name + " is no longer allowed with its token");
            }
        });
    }

    private static Map<String, byte[]> tokens(Map<String, String> agents) {
        Map<String, byte[]> tokens = new ConcurrentHashMap<>();
        agents.forEach((name, token) -> tokens.put(name, token.getBytes(StandardCharsets.UTF_8)));
        return tokens;
    }

    InetSocketAddress address() {
        return server.address();
    }

    /** A tunnel connection of the agent for a new stream, while it is connected. */
    Optional<Tunnel> tunnel(String agent) {
        return agent(agent).flatMap(AgentTunnels::pick);
    }

    Optional<AgentTunnels> agent(String agent) {
        return Optional.ofNullable(agents.get(agent));
    }

    Map<String, AgentTunnels> agents() {
        return Map.copyOf(agents);
    }

    /** Pings every tunnel and closes those whose agent stopped answering (PROTOCOL.md §6). */
    void keepAlive() {
        long silentLimit = Duration.ofSeconds(pingSeconds + 10L).toNanos();
        for (Tunnel tunnel : agents.values().stream().flatMap(agent -> agent.tunnels().stream()).toList()) {
            if (tunnel.silentNanos() > silentLimit) {
                tunnel.close(1001, "peer not answering");
            } else {
                tunnel.ping();
            }
        }
    }

    // --- the agents' WebSocket --------------------------------------------------------------------

    /**
     * Tunnel messages are handled on the thread that read them: a stream's bytes go to its browser
     * through the browser connection's write queue, and events to the endpoint's publisher thread.
     */
    @Override
    public boolean neverBlocks() {
        return true;
    }

    @Override
    public void onOpen(WebSocketConnection connection) {
        scheduler.schedule(HELLO_TIMEOUT, () -> {
            if (connection.isOpen() && !connection.attributes().containsKey(TUNNEL)) {
                connection.close(4408, "no hello within " + HELLO_TIMEOUT.toSeconds() + " s");
            }
        });
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        if (!connection.isOpen()) {
            // sent before the agent read our Close: a refused or closing agent is heard no more
            return;
        }
        if (connection.attributes().containsKey(TUNNEL)) {
            tunnelOf(connection).close(TunnelProtocolException.CLOSE_CODE, "text message after hello");
            return;
        }
        ProxyCodec.Hello hello;
        try {
            hello = ProxyCodec.readHello(text);
        } catch (TunnelProtocolException e) {
            connection.close(TunnelProtocolException.CLOSE_CODE, e.getMessage());
            return;
        }
        byte[] expected = tokens.get(hello.name());
        byte[] given = hello.token().getBytes(StandardCharsets.UTF_8);
        // compared in constant time whether or not the name is known
        boolean valid = MessageDigest.isEqual(expected == null ? new byte[given.length + 1] : expected, given)
                && expected != null;
        if (!valid) {
            AUDIT.warn("{}: agent \"{}\" from {} refused: unknown name or wrong token", endpointId, hello.name(),
                    connection.remoteAddress());
            connection.close(4401, "unknown agent or wrong token");
            return;
        }
        welcome(connection, hello);
    }

    /**
     * A connection of a new instance of the agent replaces every connection of the older one (4409);
     * one of the same instance joins it, replacing the connection it takes the place of (PROTOCOL.md §5).
     */
    private void welcome(WebSocketConnection connection, ProxyCodec.Hello hello) {
        String name = hello.name();
        AgentTunnels replaced = null;
        Tunnel older;
        boolean first;
        synchronized (this) {
            AgentTunnels agent = agents.get(name);
            if (agent == null || !agent.isInstance(hello)) {
                replaced = agent;
                agent = new AgentTunnels(name, hello.instance(), hello.tunnels());
                agents.put(name, agent);
            }
            first = agent.tunnels().isEmpty();
            Tunnel tunnel = new Tunnel(name, TunnelOutput.over(connection), window, MAX_FRAME, hello.window(),
                    hello.maxFrame(), null, agent::nextStreamId);
            connection.attributes().put(TUNNEL, tunnel);
            older = agent.put(hello.tunnel(), tunnel);
            // welcomed once the tunnel is in place: an agent online is an agent the controller routes to
            connection.sendText(ProxyCodec.welcome(new ProxyCodec.Welcome(window, MAX_FRAME, pingSeconds)));
        }
        if (replaced != null) {
            replaced.close(4409, "replaced by a newer connection of agent " + name);
        }
        if (older != null) {
            older.close(4409, "replaced by a newer connection of agent " + name);
        }
        if (first) {
            events.agentConnected(name, connection.remoteAddress());
        }
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuffer data) {
        if (!connection.isOpen()) {
            return;
        }
        Tunnel tunnel = tunnelOf(connection);
        if (tunnel == null) {
            connection.close(TunnelProtocolException.CLOSE_CODE, "binary frame before welcome");
            return;
        }
        tunnel.receive(data);
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        Tunnel tunnel = tunnelOf(connection);
        if (tunnel == null) {
            return;
        }
        String why = reason == null || reason.isBlank() ? "closed with " + code : reason + " (" + code + ")";
        tunnel.lost(why);
        // a replaced connection (4409) is no loss: its agent is connected anew
        boolean last;
        synchronized (this) {
            AgentTunnels agent = agents.get(tunnel.name());
            last = agent != null && agent.remove(tunnel);
            if (last) {
                agents.remove(tunnel.name());
            }
        }
        if (last) {
            events.agentLost(tunnel.name(), why);
        }
    }

    private static Tunnel tunnelOf(WebSocketConnection connection) {
        return (Tunnel) connection.attributes().get(TUNNEL);
    }
}
