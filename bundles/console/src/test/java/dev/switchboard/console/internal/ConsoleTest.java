package dev.switchboard.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointPanel;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatusListener;
import dev.switchboard.api.Subscription;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.router.Direction;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.GatewayRegistry;
import dev.switchboard.router.MemberInfo;
import dev.switchboard.router.SinkInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsoleTest {

    private final EndpointDirectory directory = new EndpointDirectory();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final ShellCommands commands = new ShellCommands(directory,
            () -> new PrintStream(printed, true, StandardCharsets.UTF_8));
    private final List<Message> sent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void registerEndpoints() {
        directory.addEndpoint(new FixedEndpoint("lobby", "channels", EndpointStatus.online("listening on 127.0.0.1:8025"),
                new EndpointMetrics(5, 7, 500, 700, 1, 0, Map.of("subscribers", 3))));
        directory.addEndpoint(new FixedEndpoint("kosmi-main", "kosmi",
                EndpointStatus.connecting("closed with code 1006, retry in 4 s"),
                new EndpointMetrics(2, 1, 20, 10, 0, 3, Map.of())));
        directory.addSink(message -> {
            sent.add(message);
            return CompletableFuture.completedFuture(null);
        }, Map.of(Endpoint.ENDPOINT_PROPERTY, "lobby"));
        directory.addSink(message -> CompletableFuture.failedFuture(new DeliveryException("kosmi-main", "endpoint offline")),
                Map.of(Endpoint.ENDPOINT_PROPERTY, "kosmi-main"));
        directory.setGatewayRegistry(registry);
    }

    private final GatewayRegistry registry = () -> List.of(new GatewayInfo("dev.switchboard.gateway~demo", "demo", true, "active",
                List.of(new MemberInfo("lobby", "general", Direction.INOUT, true, true),
                        new MemberInfo("kosmi-main", "@room", Direction.INOUT, true, false)),
                List.of(new SinkInfo("lobby", true, 0, 12, 0, 0), new SinkInfo("kosmi-main", false, 4, 2, 1, 0)),
                14, 1, 2));

    @Test
    void endpointsListsStatusReasonAndCounters() {
        String out = run(commands::endpoints);
        String[] lines = out.split("\n");
        assertTrue(lines[0].startsWith("Endpoint"), out);
        // ordered by id; reason shown only when not ONLINE
        assertTrue(lines[1].startsWith("kosmi-main") && lines[1].contains("CONNECTING (closed with code 1006, retry in 4 s)"), out);
        assertTrue(lines[2].startsWith("lobby") && lines[2].contains("ONLINE ") && !lines[2].contains("listening"), out);
        assertTrue(lines[2].matches("lobby\\s+channels\\s+ONLINE\\s+5\\s+7\\s+500\\s+700\\s+1\\s+0\\s+1970-01-01T00:00:00Z"), out);
        // protocol figures (subscriber and connection counts for channels) below the table
        assertTrue(out.contains("  lobby: subscribers=3\n"), out);
    }

    @Test
    void gatewaysShowMembersAndQueueDepths() {
        String out = run(commands::gateways);
        assertTrue(out.startsWith("Gateway demo (active) routed 14, duplicates 1, loops blocked 2"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+kosmi-main\\s+@room\\s+inout\\s+yes\\s+absent\\s+4\\s+2\\s+1\\s+0\\s+0\\s*")), out);
    }

    @Test
    void gatewaysSayWhenTheRouterIsAbsent() {
        directory.unsetGatewayRegistry(registry);
        assertEquals("The router is not running (bundle dev.switchboard.router).\n", run(commands::gateways));
        assertTrue(run(commands::stats).contains("router not running"));
    }

    @Test
    void statsAddUpEveryEndpointAndGateway() {
        String out = run(commands::stats);
        assertTrue(out.contains("Endpoints   2 (1 online)"), out);
        assertTrue(out.contains("Messages    in 7, out 8"), out);
        assertTrue(out.contains("Reconnects  3"), out);
        assertTrue(out.contains("Queued      4"), out);
    }

    @Test
    void sendDeliversChatTextFromTheConsole() throws Exception {
        commands.send("lobby", "general", "hello", "from", "the", "shell");
        assertEquals("sent to lobby #general\n", printed.toString(StandardCharsets.UTF_8));
        assertEquals(1, sent.size());
        Message m = sent.get(0);
        assertEquals("hello from the shell", m.text());
        assertEquals("general", m.channel());
        assertEquals("lobby", m.endpoint());
        assertEquals("console", m.author().id());
        assertTrue(m.isChat());
    }

    @Test
    void sendToAnUnknownEndpointNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.send("nope", "general", "hi"));
        assertEquals("unknown endpoint \"nope\"; endpoints that accept messages: kosmi-main, lobby", e.getMessage());
        assertTrue(sent.isEmpty());
    }

    @Test
    void sendReportsTheSinksRefusal() {
        DeliveryException e = assertThrows(DeliveryException.class, () -> commands.send("kosmi-main", "@room", "hi"));
        assertEquals("kosmi-main: endpoint offline", e.getMessage());
    }

    @Test
    void sendWithoutTextShowsUsage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.send("lobby", "general"));
        assertTrue(e.getMessage().startsWith("usage: switchboard:send"));
    }

    @Test
    void sendSurvivesASinkThatThrows() {
        MessageSink broken = message -> {
            throw new IllegalStateException("adapter bug");
        };
        directory.addSink(broken, Map.of(Endpoint.ENDPOINT_PROPERTY, "broken"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.send("broken", "x", "hi"));
        assertEquals("adapter bug", e.getMessage());
    }

    @Test
    void removedEndpointsDisappear() {
        Endpoint extra = new FixedEndpoint("extra", "tracker", EndpointStatus.offline("login failed: 401"),
                EndpointMetrics.EMPTY);
        directory.addEndpoint(extra);
        assertTrue(run(commands::endpoints).contains("OFFLINE (login failed: 401)"));
        directory.removeEndpoint(extra);
        assertFalse(run(commands::endpoints).contains("extra"));
    }

    @Test
    void jsonViewCarriesEverythingTheTabShows() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(directory.overview()));
        assertEquals(2, json.get("endpoints").size());
        JsonNode kosmi = json.get("endpoints").get(0);
        assertEquals("kosmi-main", kosmi.get("id").asText());
        assertEquals("CONNECTING", kosmi.get("state").asText());
        assertEquals("closed with code 1006, retry in 4 s", kosmi.get("reason").asText());
        assertEquals(3, kosmi.get("reconnects").asLong());
        assertEquals(3, json.get("endpoints").get(1).get("details").get("subscribers").asInt());
        JsonNode gateway = json.get("gateways").get(0);
        assertEquals("demo", gateway.get("name").asText());
        assertEquals(4, gateway.get("sinks").get(1).get("queued").asInt());
        assertEquals("inout", gateway.get("members").get(0).get("direction").asText());
        assertEquals(15, json.get("totals").get("messagesIn").asLong() + json.get("totals").get("messagesOut").asLong());
    }

    @Test
    void htmlTabHoldsNoAdapterValueOnlyPlacesForThePageScript() {
        directory.addEndpoint(new FixedEndpoint("<script>", "channels", EndpointStatus.offline("port \"80\" & <in use>"),
                EndpointMetrics.EMPTY));
        StringWriter html = new StringWriter();
        SwitchboardPlugin.render(7, "0123abcd", new PrintWriter(html));
        String page = html.toString();
        // what adapters report reaches the page as JSON, set as text by the script: nothing of it in the markup
        assertFalse(page.contains("in use"), page);
        assertTrue(page.contains("data-token='0123abcd' data-seq='7'"), page);
        assertTrue(page.contains("<script src='switchboard/res/uPlot.iife.min.js'></script>"), page);
        assertTrue(page.contains("<h2 class='sb-heading'>Gateways</h2>"), page);
    }

    @Test
    void panelsComeFromTheAdaptersWhiteboardOrElseFromTheDetails() throws Exception {
        JsonNode lobby = new ObjectMapper().readTree(JsonReport.render(directory.overview())).get("endpoints").get(1);
        assertEquals("details", lobby.get("panel").get(0).get("title").asText());
        assertEquals("[\"subscribers\",\"3\"]", lobby.get("panel").get(0).get("rows").get(0).toString());

        EndpointPanel own = () -> List.of(new EndpointPanel.Table("Topics", List.of("topic", "subscribers"),
                List.of(List.of("chat:lobby", "3"))));
        directory.addPanel(own, Map.of(Endpoint.ENDPOINT_PROPERTY, "lobby"));
        lobby = new ObjectMapper().readTree(JsonReport.render(directory.overview())).get("endpoints").get(1);
        assertEquals("Topics", lobby.get("panel").get(0).get("title").asText());
        // renamed with its endpoint
        directory.updatedPanel(own, Map.of(Endpoint.ENDPOINT_PROPERTY, "kosmi-main"));
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(directory.overview()));
        assertEquals("Topics", json.get("endpoints").get(0).get("panel").get(0).get("title").asText());
        assertEquals("details", json.get("endpoints").get(1).get("panel").get(0).get("title").asText());
        // a panel that throws shows the error instead of breaking the console
        directory.removePanel(own);
        directory.addPanel(() -> {
            throw new IllegalStateException("broken panel");
        }, Map.of(Endpoint.ENDPOINT_PROPERTY, "lobby"));
        lobby = new ObjectMapper().readTree(JsonReport.render(directory.overview())).get("endpoints").get(1);
        assertTrue(lobby.get("panel").get(0).get("rows").get(0).get(0).asText().contains("broken panel"));
    }

    private String run(Runnable command) {
        printed.reset();
        command.run();
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** Tab in Karaf's shell: endpoint ids and gateway names complete from what is there now. */
    @Test
    void endpointIdsAndGatewayNamesComplete() {
        SwitchboardCommands.EndpointIds endpoints = new SwitchboardCommands.EndpointIds();
        endpoints.directory = directory;
        List<String> candidates = new ArrayList<>();
        endpoints.complete(null, typed("switchboard:send ko", "ko"), candidates);
        assertEquals(List.of("kosmi-main"), candidates.stream().map(String::strip).toList());

        SwitchboardCommands.GatewayNames gateways = new SwitchboardCommands.GatewayNames();
        gateways.directory = directory;
        candidates.clear();
        gateways.complete(null, typed("switchboard:gateways de", "de"), candidates);
        assertEquals(List.of("demo"), candidates.stream().map(String::strip).toList());
    }

    /** A command line as Karaf's shell hands it to a completer, the cursor at the end of {@code word}. */
    private static org.apache.karaf.shell.api.console.CommandLine typed(String line, String word) {
        String[] arguments = line.split(" ");
        return (org.apache.karaf.shell.api.console.CommandLine) java.lang.reflect.Proxy.newProxyInstance(
                ConsoleTest.class.getClassLoader(),
                new Class<?>[] {org.apache.karaf.shell.api.console.CommandLine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getCursorArgument" -> word;
                    case "getCursorArgumentIndex" -> arguments.length - 1;
                    case "getArgumentPosition" -> word.length();
                    case "getArguments" -> arguments;
                    case "getBufferPosition" -> line.length();
                    case "getBuffer" -> line;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private record FixedEndpoint(String id, String protocol, EndpointStatus status, EndpointMetrics metrics)
            implements Endpoint {
        @Override
        public String canonicalChannel(String channel) {
            return channel;
        }

        @Override
        public Subscription watchStatus(EndpointStatusListener listener) {
            return () -> { };
        }
    }
}
