package dev.switchboard.proxy.internal;

import static dev.switchboard.proxy.internal.TunnelTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.internal.TyrusTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Agents and a controller over a real tunnel on loopback: hello, authentication, duplicates, bad frames. */
class TunnelConnectionTest {

    private final TyrusTransport transport = new TyrusTransport();
    private final List<ProxyAgentAdapter> agents = new ArrayList<>();
    private final BlockingQueue<Message> events = new LinkedBlockingQueue<>();
    private ProxyControllerAdapter controller;
    private final ControllerSettings settings = new ControllerSettings("ctl", "127.0.0.1", 0, "127.0.0.1", 0,
            Map.of("home", "s3cret-home", "lab", "s3cret-lab"), ProxyRoutes.parse(new String[0]),
            Duration.ofSeconds(5), ProxyCodec.MIN_WINDOW, 30);

    @BeforeEach
    void startController() {
        controller = new ProxyControllerAdapter(transport);
        controller.start(settings);
        controller.subscribe(events::add);
        assertEquals(State.ONLINE, controller.status().state(), controller.status().reason());
    }

    @AfterEach
    void stop() {
        agents.forEach(ProxyAgentAdapter::stop);
        controller.stop();
        transport.close();
    }

    private ProxyAgentAdapter agent(String name, String token) {
        return agent(name, token, 1);
    }

    private ProxyAgentAdapter agent(String name, String token, int tunnels) {
        ProxyAgentAdapter agent = new ProxyAgentAdapter(transport);
        agents.add(agent);
        agent.start(new AgentSettings("agent-" + name + agents.size(), agentUrl(), name, token, Map.of(),
                ProxyCodec.MIN_WINDOW, tunnels));
        return agent;
    }

    private int tunnelsOf(String agent) {
        return controller.agents().agent(agent).map(a -> a.tunnels().size()).orElse(0);
    }

    private URI agentUrl() {
        return URI.create("ws://127.0.0.1:" + controller.agents().address().getPort() + AgentListener.PATH);
    }

    @Test
    void anAgentWithItsTokenConnectsAndIsAnnounced() throws Exception {
        ProxyAgentAdapter home = agent("home", "s3cret-home");
        await(() -> home.status().state() == State.ONLINE);
        Message connected = events.poll(5, TimeUnit.SECONDS);
        assertEquals("tunnel:home", connected.channel());
        assertEquals("connected", connected.event());
        assertTrue(controller.agents().tunnel("home").isPresent());
        controller.agents().keepAlive();
        await(() -> controller.agents().tunnel("home").orElseThrow().roundTripMillis() >= 0);
    }

    /** Bad input: an agent with a guessed token. */
    @Test
    void aWrongTokenIsRefusedWith4401AndOneAuditLineWithoutTheToken() throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        ProxyAgentAdapter intruder;
        try {
            intruder = agent("home", "guessed-token");
            await(() -> intruder.status().detail() == Detail.AUTHENTICATION_FAILED);
        } finally {
            System.setErr(originalErr);
        }
        EndpointStatus status = intruder.status();
        assertEquals(State.OFFLINE, status.state());
        assertTrue(status.reason().contains("4401"), status.reason());
        List<String> audit = err.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("dev.switchboard.proxy.audit")).toList();
        assertEquals(1, audit.size(), audit.toString());
        assertTrue(audit.get(0).contains("agent \"home\" from /127.0.0.1:"), audit.get(0));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("guessed-token"));
        assertTrue(controller.agents().tunnel("home").isEmpty());
    }

    /** Bad input: a second agent with the name and token of a connected one. */
    @Test
    void aSecondAgentOfOneNameReplacesTheFirstWhichIsToldWhy() throws Exception {
        ProxyAgentAdapter first = agent("home", "s3cret-home");
        await(() -> first.status().state() == State.ONLINE);
        Tunnel firstTunnel = controller.agents().tunnel("home").orElseThrow();
        ProxyAgentAdapter second = agent("home", "s3cret-home");
        await(() -> second.status().state() == State.ONLINE && first.status().state() == State.OFFLINE);
        assertTrue(first.status().reason().contains("replaced by a newer connection of agent home (4409)"),
                first.status().reason());
        assertTrue(firstTunnel.isClosed());
        Tunnel current = controller.agents().tunnel("home").orElseThrow();
        assertFalse(current.isClosed());
    }

    /**
     * Bad input: a second run of an agent name while the first holds its tunnels. The second
     * connection of one run joins it (no 4409); a connection of another run replaces them all.
     */
    @Test
    void theTunnelsOfOneAgentRunAreOneAgentAndANewerRunReplacesThemAll() throws Exception {
        ProxyAgentAdapter first = agent("home", "s3cret-home", 3);
        await(() -> tunnelsOf("home") == 3 && first.status().reason().startsWith("3 of 3 tunnels"));
        AgentTunnels firstRun = controller.agents().agent("home").orElseThrow();
        List<Tunnel> firstTunnels = firstRun.tunnels();
        assertEquals("connected", events.poll(5, TimeUnit.SECONDS).event());
        assertTrue(events.isEmpty(), "one agent, announced once: " + events);
        assertEquals(3, ((Map<?, ?>) ((Map<?, ?>) controller.details().get("agents")).get("home"))
                .get("tunnels"));

        ProxyAgentAdapter second = agent("home", "s3cret-home", 2);
        await(() -> first.status().state() == State.OFFLINE && second.status().state() == State.ONLINE
                && tunnelsOf("home") == 2);
        assertTrue(first.status().reason().contains("replaced by a newer connection of agent home (4409)"),
                first.status().reason());
        await(() -> firstTunnels.stream().allMatch(Tunnel::isClosed));
        assertTrue(controller.agents().agent("home").orElseThrow() != firstRun);
        assertTrue(controller.agents().agent("home").orElseThrow().tunnels().stream().noneMatch(Tunnel::isClosed));
    }

    /**
     * Bad input, each from an agent "home" while agent "lab" carries on: a frame of unknown type, a
     * length beyond the message, a header cut short, a WINDOW of 3 bytes, a text message after hello.
     */
    @Test
    void aBadFrameClosesThatTunnelOnlyWithItsReason() throws Exception {
        ProxyAgentAdapter lab = agent("lab", "s3cret-lab");
        await(() -> lab.status().state() == State.ONLINE);
        Tunnel labTunnel = controller.agents().tunnel("lab").orElseThrow();
        Map<String, ByteBuffer> bad = Map.of(
                "4400 unknown frame type 0x7f", ByteBuffer.allocate(9).put((byte) 0x7f).putInt(1).putInt(0).flip(),
                "4400 bad length 1000 for DATA: 10 bytes left in the message",
                ByteBuffer.allocate(19).put(TunnelFrame.DATA).putInt(1).putInt(1000).flip().limit(19),
                "4400 truncated frame: 5 bytes left for a 9-byte header", ByteBuffer.allocate(5),
                "4400 bad length 3 for WINDOW: expected 4 bytes",
                ByteBuffer.allocate(12).put(TunnelFrame.WINDOW).putInt(1).putInt(3).flip().limit(12));
        for (Map.Entry<String, ByteBuffer> message : bad.entrySet()) {
            assertEquals(message.getKey(), rawAgent(connection -> connection.sendBinary(message.getValue())));
        }
        assertEquals("4400 text message after hello", rawAgent(connection -> connection.sendText("{}")));
        assertFalse(labTunnel.isClosed());
        labTunnel.ping();
        await(() -> labTunnel.roundTripMillis() >= 0);
        assertEquals(State.ONLINE, lab.status().state());
    }

    /** A hand-made agent "home" that does {@code welcomed} after the welcome; returns how the controller closed it. */
    private String rawAgent(java.util.function.Consumer<WebSocketConnection> welcomed) throws Exception {
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocketClient raw = transport.connect(ClientSpec.builder("raw", agentUrl()).compression(false).build(),
                new ClientHandler() {
                    @Override
                    public void onOpen(WebSocketConnection connection) {
                        connection.sendText(ProxyCodec.hello(new ProxyCodec.Hello("home", "s3cret-home", 65_536,
                                65_536, "raw", 0, 1)));
                    }

                    @Override
                    public void onText(WebSocketConnection connection, String welcome) {
                        welcomed.accept(connection);
                    }

                    @Override
                    public void onClose(WebSocketConnection connection, int code, String reason) {
                        closed.complete(code + " " + reason);
                    }
                });
        try {
            return closed.get(10, TimeUnit.SECONDS);
        } finally {
            raw.close();
        }
    }

    @Test
    void agentsAndRoutesChangeWithoutDroppingTheAgentsThatStay() throws Exception {
        ProxyAgentAdapter home = agent("home", "s3cret-home");
        ProxyAgentAdapter lab = agent("lab", "s3cret-lab");
        await(() -> home.status().state() == State.ONLINE && lab.status().state() == State.ONLINE);
        Tunnel homeTunnel = controller.agents().tunnel("home").orElseThrow();
        assertTrue(get("/").contains("no route"));

        ControllerSettings edited = new ControllerSettings("ctl", "127.0.0.1", 0, "127.0.0.1", 0,
                Map.of("home", "s3cret-home"), ProxyRoutes.parse(new String[] {"* -> home/web"}),
                Duration.ofSeconds(5), ProxyCodec.MIN_WINDOW, 30);
        assertTrue(controller.applyLive(settings, edited));

        await(() -> lab.status().detail() == Detail.AUTHENTICATION_FAILED);
        assertTrue(lab.status().reason().contains("no longer allowed"), lab.status().reason());
        assertFalse(homeTunnel.isClosed());
        assertEquals(homeTunnel, controller.agents().tunnel("home").orElseThrow());
        // the new route is served: it reaches agent home, which has no service web
        assertTrue(get("/").contains("agent has no service web"));
        assertFalse(controller.applyLive(settings, new ControllerSettings("ctl", "127.0.0.1", 0, "127.0.0.1", 0,
                Map.of(), ProxyRoutes.parse(new String[0]), Duration.ofSeconds(5), ProxyCodec.MIN_WINDOW, 60)),
                "a new ping interval needs a restart");
    }

    private String get(String path) throws Exception {
        return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                .send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + controller.front().address().getPort() + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Bad input: an agent that connects and says nothing. */
    @Test
    void anAgentWithoutHelloIsClosedWith4408() throws Exception {
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocketClient silent = transport.connect(ClientSpec.builder("silent", agentUrl()).compression(false).build(),
                new ClientHandler() {
                    @Override
                    public void onClose(WebSocketConnection connection, int code, String reason) {
                        closed.complete(code + " " + reason);
                    }
                });
        try {
            assertEquals("4408 no hello within 10 s", closed.get(30, TimeUnit.SECONDS));
        } finally {
            silent.close();
        }
    }

    @Test
    void aDisconnectCommandDropsTheAgentWhichComesBack() throws Exception {
        ProxyAgentAdapter home = agent("home", "s3cret-home");
        await(() -> home.status().state() == State.ONLINE);
        Tunnel before = controller.agents().tunnel("home").orElseThrow();
        controller.send(Message.builder("gw", "control").event("disconnect").text("home").build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        await(before::isClosed);
        await(() -> controller.agents().tunnel("home").filter(t -> t != before).isPresent());
        // the event follows the tunnel's welcome
        await(() -> events.size() == 3);
        List<String> seen = new ArrayList<>();
        events.forEach(m -> seen.add(m.event()));
        assertEquals(List.of("connected", "lost", "connected"), seen);
    }
}
