package dev.switchboard.itests.distribution;

import static dev.switchboard.itests.distribution.Installation.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.itests.peers.tracker.TrackerPeer;
import dev.switchboard.transport.internal.TyrusTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Nothing accepted is lost or delivered twice while the far side drops the connection, an adapter
 * or the router is updated, or an endpoint moves to another port. The distribution runs as a user
 * runs it (bin/start, the shell through bin/client); the Kosmi and tracker doubles run in this JVM
 * on loopback, and a chat user stays in the demo channels endpoint the way its protocol allows.
 *
 * <p>Every scenario runs four flows at once, each a steady stream of unique numbered texts well
 * under 200 messages/s: chat to Kosmi, Kosmi to chat, chat to the tracker, the tracker to chat.
 * Midway the scenario disrupts; then every flow must arrive complete, once, in order.
 * The figures of every flow are printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryTest {

    private static final Duration READY = Duration.ofSeconds(180);
    private static final Duration DELIVERED = Duration.ofSeconds(180);
    /** Texts per flow and scenario, one every 50 ms: 20 messages/s a flow, 40 each way. */
    private static final int TEXTS = 150;
    private static final Duration EVERY = Duration.ofMillis(50);
    private static final String ROOM = "@room";
    private static final String LOBBY = "lobby-chat";
    private static final String KOSMI_TOPIC = "chat:kosmi";
    private static final String TASKS_TOPIC = "chat:tasks";
    private static final String TRACKER_TOKEN = "agent-" + UUID.randomUUID();
    private final TyrusTransport transport = new TyrusTransport();
    private final List<Flow.Figures> figures = new ArrayList<>();
    private Installation switchboard;
    private KosmiDouble kosmi;
    private TrackerPeer tracker;
    private volatile int demoPort;
    private ChatUser chat;
    private int scenarios;

    @BeforeAll
    void start() throws Exception {
        kosmi = new KosmiDouble(transport).start();
        tracker = new TrackerPeer(transport, TRACKER_TOKEN);
        tracker.lobby(LOBBY, List.of(), List.of("ada"));

        switchboard = Installation.unzip(Path.of(System.getProperty("switchboard.zip")),
                Path.of(System.getProperty("switchboard.work")));
        demoPort = Installation.freePort();
        switchboard.replaceInConfig("dev.switchboard.channels-demo.cfg", "port = 8025", "port = " + demoPort);
        switchboard.replaceInConfig("dev.switchboard.channels-mirror.cfg", "port = 8026",
                "port = " + Installation.freePort());
        // a client away for a while finds every message it missed in the snapshot
        appendToConfig("dev.switchboard.channels-demo.cfg", "historySize = 5000\n");
        switchboard.writeConfig("dev.switchboard.kosmi-acc.cfg", "id = kosmi-acc\nrooms = " + ROOM
                + "\ngraphqlUrl = " + kosmi.graphqlUrl() + "\nwebSocketUrl = " + kosmi.webSocketUrl()
                + "\nretryInitialMillis = 200\nretryMaxMillis = 2000\n");
        switchboard.writeConfig("dev.switchboard.tracker-acc.cfg", "id = tracker-acc\ntrackerUrl = "
                + tracker.trackerUrl() + "\ntoken = " + TRACKER_TOKEN + "\n");
        switchboard.writeConfig("dev.switchboard.gateway-kosmi.cfg",
                "members = demo:" + KOSMI_TOPIC + " inout, kosmi-acc:" + ROOM + " inout\nnickFormat =\n");
        switchboard.writeConfig("dev.switchboard.gateway-tasks.cfg",
                "members = demo:" + TASKS_TOPIC + " inout, tracker-acc:" + LOBBY + " inout\nnickFormat =\n");

        switchboard.run("start", null);
        awaitEverythingOnline();
        chat = ChatUser.join(() -> switchboard.wsUri(demoPort, "/"), KOSMI_TOPIC, TASKS_TOPIC);
    }

    @AfterAll
    void stop() throws Exception {
        System.out.println("Delivery figures (sent / delivered / duplicated per flow):");
        figures.forEach(f -> System.out.println("  " + f));
        if (chat != null) {
            chat.close();
        }
        if (switchboard != null) {
            switchboard.run("stop", null);
            try {
                await("the Karaf process exits", Duration.ofSeconds(90), () -> ProcessHandle.allProcesses()
                        .noneMatch(p -> p.info().commandLine().orElse("").contains(switchboard.home.toString())));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + " -- "
                        + Installation.threadSummary(switchboard.dumpThreads("stop")), e);
            } finally {
                switchboard.destroy();
            }
        }
        if (kosmi != null) {
            kosmi.close();
        }
        if (tracker != null) {
            tracker.close();
        }
        transport.close();
    }

    // --- what users see of the installation ---------------------------------------------------

    @Test
    @Order(1)
    void bundleListShowsTheSwitchboardBundlesWithoutAThreshold() throws Exception {
        String listed = switchboard.shell("bundle:list");
        List<String> names = new ArrayList<>();
        for (JsonNode b : switchboard.json("/system/console/bundles.json").path("data")) {
            if (b.path("symbolicName").asText().startsWith("dev.switchboard.")) {
                names.add(b.path("name").asText());
            }
        }
        assertTrue(names.size() >= 8, names.toString());
        for (String name : names) {
            assertTrue(listed.lines().anyMatch(l -> l.contains("Active") && l.contains(name)),
                    name + " in bundle:list:\n" + listed);
        }
    }

    @Test
    @Order(2)
    void shellHelpPrintsUsageAndLogsNoStackTrace() throws Exception {
        int logged = switchboard.log("karaf.log").length();
        String help = switchboard.shell("switchboard:send --help");
        assertTrue(help.contains("SYNTAX") && help.contains("switchboard:send"), help);
        String since = switchboard.log("karaf.log").substring(logged);
        assertFalse(since.lines().anyMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), since);
        assertFalse(help.contains("Exception"), help);
    }

    @Test
    @Order(3)
    void failedLoginsAreAuditedWithoutThePassword() throws Exception {
        String httpPassword = "wrong-http-" + UUID.randomUUID();
        String sshPassword = "wrong-ssh-" + UUID.randomUUID();
        long httpBefore = failedLogins("webconsole");
        assertEquals(401, switchboard.get("/system/console/bundles.json", "admin", httpPassword).statusCode());
        await("a failed Web Console login is in security.log", READY, () -> failedLogins("webconsole") > httpBefore);
        long sshBefore = failedLogins("ssh");
        String refused = switchboard.run("client", "bundle:list\n", "-u", "admin", "-p", sshPassword, "-r", "1");
        assertFalse(refused.contains("Active"), refused);
        await("a failed ssh login is in security.log", READY, () -> failedLogins("ssh") > sshBefore);
        String log = switchboard.log("security.log");
        assertFalse(log.contains(httpPassword) || log.contains(sshPassword), "no password in security.log:\n" + log);
    }

    // --- delivery -----------------------------------------------------------------------------

    @Test
    @Order(10)
    void kosmiDropsTheConnection() throws Exception {
        scenario("Kosmi drops", () -> {
            synchronized (kosmi) {
                kosmi.drop();
            }
        });
    }

    @Test
    @Order(11)
    void trackerDropsTheConnection() throws Exception {
        scenario("tracker drops", () -> {
            synchronized (tracker) {
                tracker.dropAll();
            }
        });
    }

    @Test
    @Order(12)
    void channelsBundleIsUpdated() throws Exception {
        scenario("update channels", () -> update("dev.switchboard.channels"));
    }

    @Test
    @Order(13)
    void kosmiBundleIsUpdated() throws Exception {
        scenario("update kosmi", () -> update("dev.switchboard.kosmi"));
    }

    @Test
    @Order(14)
    void trackerBundleIsUpdated() throws Exception {
        scenario("update tracker", () -> update("dev.switchboard.tracker"));
    }

    @Test
    @Order(15)
    void routerBundleIsUpdated() throws Exception {
        scenario("update router", () -> update("dev.switchboard.router"));
    }

    @Test
    @Order(16)
    void channelsPortIsEditedLive() throws Exception {
        scenario("demo port edited", () -> {
            int old = demoPort;
            int next = Installation.freePort();
            demoPort = next;
            switchboard.replaceInConfig("dev.switchboard.channels-demo.cfg", "port = " + old, "port = " + next);
        });
        assertTrue(chat.reconnects() > 0, "the chat user moved to the new port");
    }

    // --- the scenario -------------------------------------------------------------------------

    private interface Disruption {
        void run() throws Exception;
    }

    private void scenario(String name, Disruption disruption) throws Exception {
        try {
            runScenario(name, disruption);
        } catch (Exception | AssertionError e) {
            Path dump = switchboard.dumpThreads(name + ": " + e.getMessage());
            throw new AssertionError(e.getMessage() + " -- Karaf " + Installation.threadSummary(dump) + " -- test JVM "
                    + Installation.localThreadSummary(), e);
        }
    }

    private void runScenario(String name, Disruption disruption) throws Exception {
        awaitEverythingOnline();
        String tag = "s" + ++scenarios + "-";
        List<Flow> flows = List.of(
                new Flow(name + ": chat>kosmi", tag + "c2k-", this::sentToKosmi)
                        .start(TEXTS, EVERY, text -> chat.post(KOSMI_TOPIC, text)),
                new Flow(name + ": kosmi>chat", tag + "k2c-", token -> chat.received(KOSMI_TOPIC, token))
                        .start(TEXTS, EVERY, this::postInKosmi),
                new Flow(name + ": chat>tracker", tag + "c2t-", this::sentToTracker)
                        .start(TEXTS, EVERY, text -> chat.post(TASKS_TOPIC, text)),
                new Flow(name + ": tracker>chat", tag + "t2c-", token -> chat.received(TASKS_TOPIC, token))
                        .start(TEXTS, EVERY, this::postInTracker));
        await(name + ": a third of the texts are sent", READY, () -> flows.get(0).sent() >= TEXTS / 3);
        disruption.run();
        for (Flow flow : flows) {
            flow.awaitSent(READY);
        }
        try {
            await(name + ": every text arrived", DELIVERED, () -> {
                try {
                    chat.stayConnected();
                } catch (Exception e) {
                    return false;
                }
                return flows.stream().allMatch(Flow::settled);
            });
        } finally {
            System.out.println("Scenario " + name + ":");
            for (Flow flow : flows) {
                Flow.Figures f = flow.figures();
                figures.add(f);
                System.out.println("  " + f);
            }
        }
        for (Flow flow : flows) {
            Flow.Figures f = flow.figures();
            assertTrue(f.clean(), f + "\n" + switchboard.shell("switchboard:gateways"));
        }
        JsonNode gateways = switchboard.overview().path("gateways");
        for (JsonNode sink : gateways.findValues("sinks").stream()
                .flatMap(sinks -> StreamSupport.stream(sinks.spliterator(), false)).toList()) {
            assertEquals(0, sink.path("failed").asLong() + sink.path("dropped").asLong() + sink.path("expired").asLong(),
                    "the router counted nothing failed, dropped or expired: " + gateways);
        }
    }

    /** bundle:update of the bundle {@code symbolicName}, through the shell. */
    private void update(String symbolicName) throws Exception {
        long id = switchboard.bundleId(symbolicName);
        String out = switchboard.shell("bundle:update " + id);
        assertFalse(out.contains("Error"), out);
    }

    /** A Kosmi user posts in the room; posted again once the room has a listener if nobody was there. */
    private void postInKosmi(String text) throws Exception {
        while (true) {
            // the drop holds this lock too: a message is delivered before a drop or after it, never during it
            synchronized (kosmi) {
                if (kosmi.inject(ROOM, "bob", "Bob", text) > 0) {
                    return;
                }
            }
            await("the Kosmi room has a listener again", READY, () -> kosmi.listeners(ROOM) > 0);
        }
    }

    /** The tracker sends a chat message to the lobby chat; sent again once an agent is there if none was. */
    private void postInTracker(String text) throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("chat_id", LOBBY);
        data.put("content", text);
        data.put("author", "ada");
        String id = UUID.randomUUID().toString();
        while (true) {
            synchronized (tracker) {
                if (tracker.push("chat.message", id, data) > 0) {
                    return;
                }
            }
            await("an agent is authenticated again", READY, () -> tracker.authenticatedAgents() > 0);
        }
    }

    private Map<String, Integer> sentToKosmi(Pattern token) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (KosmiDouble.Sent sent : kosmi.pendingSent()) {
            if (ROOM.equals(sent.room())) {
                count(seen, token, sent.body());
            }
        }
        return seen;
    }

    private Map<String, Integer> sentToTracker(Pattern token) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Map<String, Object> frame : tracker.chatSends()) {
            if (LOBBY.equals(frame.get("chat_id"))) {
                count(seen, token, String.valueOf(frame.get("content")));
            }
        }
        return seen;
    }

    private static void count(Map<String, Integer> seen, Pattern token, String text) {
        Matcher m = token.matcher(text);
        if (m.find()) {
            seen.merge(m.group(1), 1, Integer::sum);
        }
    }

    // --- helpers ------------------------------------------------------------------------------

    private void awaitEverythingOnline() throws InterruptedException {
        await("demo, kosmi-acc and tracker-acc are ONLINE, in the Kosmi room and authenticated", READY,
                () -> switchboard.online("demo") && switchboard.online("kosmi-acc")
                        && switchboard.online("tracker-acc") && kosmi.listeners(ROOM) > 0
                        && tracker.authenticatedAgents() > 0);
    }

    private void appendToConfig(String name, String lines) throws Exception {
        switchboard.writeConfig(name, Files.readString(switchboard.home.resolve("etc").resolve(name)) + lines);
    }

    /** Lines "Authentication failed - admin - ssh(…)" (or webconsole) in security.log. */
    private long failedLogins(String transport) {
        return switchboard.log("security.log").lines()
                .filter(l -> l.contains("Authentication failed - admin - " + transport + "(")).count();
    }
}
