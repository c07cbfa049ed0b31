package dev.switchboard.itests.distribution;

import static dev.switchboard.itests.distribution.Installation.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The distribution as a user runs it: unzipped, started with bin/start as a separate process,
 * driven over HTTP, WebSocket, the shell and files, and stopped with bin/stop. One start serves
 * every test (they run in order); the last one stops it.
 *
 * <p>Besides the shipped demo (channels endpoints "demo" and "mirror" and gateway "demo"), the
 * test endpoint bundle from itests/fixtures is dropped into deploy/ as a second adapter: its
 * endpoint "loop" (protocol wsloop) keeps a WebSocket of its own open, which shows whether an
 * endpoint of another adapter was disturbed, and feeds the gateway "feed" into channels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributionTest {

    private static final Duration READY = Duration.ofSeconds(120);
    private static final Duration SOON = Duration.ofSeconds(60);
    private static final Set<String> BUNDLES = Set.of("dev.switchboard.api", "dev.switchboard.endpoint",
            "dev.switchboard.transport", "dev.switchboard.router", "dev.switchboard.console", "dev.switchboard.channels");

    private Installation switchboard;
    private String startOutput;
    private int demoPort;
    private int mirrorPort;
    private long pid;
    private final List<ChannelsClient> clients = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        switchboard = Installation.unzip(Path.of(System.getProperty("switchboard.zip")),
                Path.of(System.getProperty("switchboard.work")));
        demoPort = Installation.freePort();
        mirrorPort = Installation.freePort();
        switchboard.replaceInConfig("dev.switchboard.channels-demo.cfg", "port = 8025", "port = " + demoPort);
        switchboard.replaceInConfig("dev.switchboard.channels-mirror.cfg", "port = 8026", "port = " + mirrorPort);
        switchboard.deploy(Path.of(System.getProperty("switchboard.fixtures")), "switchboard-itests-fixtures.jar");
        switchboard.writeConfig("dev.switchboard.test.wsloop-loop.cfg", "switchboard.endpoint = loop\n");
        switchboard.writeConfig("dev.switchboard.gateway-feed.cfg",
                "members = loop:feed inout, demo:chat:feed inout\nnickFormat =\n");

        startOutput = switchboard.run("start", null);
        await("every Switchboard bundle is active and demo, mirror and loop are ONLINE", READY,
                () -> allActive() && online("demo") && online("mirror") && online("loop"));
        pid = switchboard.pid();
    }

    @AfterAll
    void cleanUp() {
        clients.forEach(ChannelsClient::close);
        switchboard.destroy();
    }

    @Test
    @Order(1)
    void firstStartCreatesAPasswordAndSaysWhereItIs() throws Exception {
        Path users = switchboard.home.resolve("etc/users.properties");
        assertTrue(startOutput.contains("password is in " + users), startOutput);
        assertTrue(startOutput.contains("http://127.0.0.1:" + switchboard.httpPort + "/system/console"), startOutput);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)));
        assertTrue(switchboard.password().matches("[A-Za-z0-9]{24}"));
        assertFalse(Files.readString(users).contains("karaf = karaf"), "no fixed default user");
    }

    @Test
    @Order(2)
    void webConsoleAnswersTheGeneratedCredentialsAndRefusesOthers() throws Exception {
        String path = "/system/console/bundles.json";
        assertEquals(401, switchboard.get(path, null, null).statusCode());
        assertEquals(401, switchboard.get(path, "admin", "wrong-password").statusCode());
        assertEquals(401, switchboard.get(path, "karaf", "karaf").statusCode());
        assertEquals(200, switchboard.get(path, "admin", switchboard.password()).statusCode());
        assertEquals(200, switchboard.get("/system/console/switchboard", "admin", switchboard.password()).statusCode());
    }

    /** bin/client greets with Switchboard's name and version (the shell banner), not Karaf's. */
    @Test
    @Order(2)
    void theShellGreetsWithSwitchboardAndItsVersion() throws Exception {
        String version = Path.of(System.getProperty("switchboard.zip")).getFileName().toString()
                .replaceAll("^switchboard-(.*)\\.zip$", "$1");
        String greeting = switchboard.run("client", "version\nlogout\n").replaceAll("\u001B\\[[0-9;]*m", "");
        assertTrue(greeting.contains("Switchboard " + version), greeting);
        assertFalse(greeting.contains("Apache Karaf (") || greeting.contains("__ __"), greeting);
    }

    @Test
    @Order(3)
    void bundleListShowsEverySwitchboardBundleActive() throws Exception {
        JsonNode bundles = switchboard.json("/system/console/bundles.json").path("data");
        Set<String> active = new java.util.HashSet<>();
        for (JsonNode b : bundles) {
            if (b.path("symbolicName").asText().startsWith("dev.switchboard.")) {
                assertEquals("Active", b.path("state").asText(), b.toString());
                active.add(b.path("symbolicName").asText());
            }
        }
        assertTrue(active.containsAll(BUNDLES), active.toString());
    }

    @Test
    @Order(4)
    void everyListenerIsOnLoopback() throws Exception {
        // the ssh server starts after the endpoints (start level 90): wait for it, then look at every listener
        Set<Integer> expected = Set.of(switchboard.httpPort, switchboard.sshPort, demoPort, mirrorPort);
        await("the Web Console, ssh and both channels ports listen", SOON, () -> listeningPorts().containsAll(expected));
        List<String> listening = ListeningSockets.of(pid);
        for (String address : listening) {
            assertTrue(ListeningSockets.isLoopback(address), "listening beyond loopback: " + address + " in " + listening);
        }
    }

    private Set<Integer> listeningPorts() {
        try {
            return ListeningSockets.of(pid).stream().map(a -> Integer.parseInt(a.substring(a.indexOf(':') + 1), 16))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(5)
    void demoGatewayBridgesTheTwoChannelsEndpoints() throws Exception {
        ChannelsClient alice = client(demoPort).join("chat:lobby");
        ChannelsClient bob = client(mirrorPort).join("chat:lobby");
        alice.say("chat:lobby", "alice", "hello from demo");
        await("bob on mirror gets alice's message", SOON, () -> bob.received("hello from demo"));
        bob.say("chat:lobby", "bob", "hello from mirror");
        await("alice on demo gets bob's message", SOON, () -> alice.received("hello from mirror"));
    }

    @Test
    @Order(6)
    void shellCommandsListSendAndRefuseUnknownEndpoints() throws Exception {
        String endpoints = switchboard.shell("switchboard:endpoints");
        for (String id : List.of("demo", "mirror", "loop")) {
            assertTrue(endpoints.lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("ONLINE")), endpoints);
        }
        assertTrue(switchboard.shell("switchboard:gateways").contains("Gateway demo (active)"));
        assertTrue(switchboard.shell("switchboard:stats").contains("Endpoints   3 (3 online)"));

        ChannelsClient carol = client(demoPort).join("chat:lobby");
        String counted = switchboard.shell("switchboard:endpoints");
        assertTrue(counted.lines().anyMatch(l -> l.startsWith("  demo: ") && l.contains("connections=") && l.contains("chat:lobby=")),
                "subscriber counts are shown: " + counted);
        String sent = switchboard.shell("switchboard:send demo chat:lobby hello from the shell");
        assertTrue(sent.contains("sent to demo #chat:lobby"), sent);
        await("carol gets the shell's message", SOON, () -> carol.received("hello from the shell"));

        String refused = switchboard.shell("switchboard:send nope chat:lobby hello");
        assertTrue(refused.contains("unknown endpoint \"nope\"; endpoints that accept messages: demo, loop, mirror"),
                refused);
        assertTrue(online("demo"));
    }

    @Test
    @Order(7)
    void editingAnEndpointsCfgAppliesWithoutRestart() throws Exception {
        ChannelsClient dave = client(demoPort).join("chat:lobby");
        assertEquals(100, switchboard.endpoint("demo").path("details").path("maxConnections").asInt());
        Path cfg = switchboard.home.resolve("etc/dev.switchboard.channels-demo.cfg");
        switchboard.writeConfig("dev.switchboard.channels-demo.cfg", Files.readString(cfg) + "maxConnections = 40\n");
        await("demo reports the new connection limit", SOON, () -> detail("demo", "maxConnections") == 40);
        assertTrue(switchboard.log("switchboard.log").contains("demo: reconfigured without restart"));
        // one line per state change of each endpoint, whatever its protocol
        assertTrue(switchboard.log("switchboard.log").contains("Endpoint demo (channels) is ONLINE"));
        assertTrue(dave.isOpen(), "the edit must not drop connected clients");
        switchboard.shell("switchboard:send demo chat:lobby still here");
        await("dave still receives", SOON, () -> dave.received("still here"));
    }

    @Test
    @Order(8)
    void stoppingAnAdapterBundleInTheWebConsoleLeavesTheOthersRunning() throws Exception {
        ChannelsClient erin = client(demoPort).join("chat:lobby");
        ChannelsClient frank = client(mirrorPort).join("chat:lobby");
        long loopBundle = switchboard.bundleId("dev.switchboard.itests.fixtures");

        assertEquals(200, switchboard.post("/system/console/bundles/" + loopBundle, "action=stop").statusCode());
        await("loop is gone", SOON, () -> "ABSENT".equals(switchboard.state("loop")));
        assertTrue(online("demo") && online("mirror"));
        assertTrue(erin.isOpen() && frank.isOpen(), "channels clients stay connected");
        erin.say("chat:lobby", "erin", "while loop is stopped");
        await("the demo gateway still routes", SOON, () -> frank.received("while loop is stopped"));

        assertEquals(200, switchboard.post("/system/console/bundles/" + loopBundle, "action=start").statusCode());
        await("loop is back", SOON, () -> online("loop"));

        // the other way round: stopping channels must not disturb loop's own WebSocket
        long reconnects = switchboard.endpoint("loop").path("reconnects").asLong();
        long channelsBundle = switchboard.bundleId("dev.switchboard.channels");
        assertEquals(200, switchboard.post("/system/console/bundles/" + channelsBundle, "action=stop").statusCode());
        await("demo is gone", SOON, () -> "ABSENT".equals(switchboard.state("demo")));
        assertTrue(online("loop"));
        assertEquals(reconnects, switchboard.endpoint("loop").path("reconnects").asLong());
        assertEquals(200, switchboard.post("/system/console/bundles/" + channelsBundle, "action=start").statusCode());
        await("demo and mirror are back", SOON, () -> online("demo") && online("mirror"));
        assertEquals(reconnects, switchboard.endpoint("loop").path("reconnects").asLong());
    }

    @Test
    @Order(9)
    void aNewerAdapterJarInDeployReplacesTheRunningOneWithoutLosingMessages() throws Exception {
        ChannelsClient before = client(demoPort).join("chat:feed");
        long reconnects = switchboard.endpoint("loop").path("reconnects").asLong();
        AtomicReference<String> disturbed = new AtomicReference<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        // a flag, not interrupt(): the HTTP client in state() swallows the interrupt
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                String state = switchboard.state("loop");
                if (!"ONLINE".equals(state)) {
                    disturbed.compareAndSet(null, state);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "loop-watcher");
        watcher.start();
        try {
            send(1, 10);
            await("messages 1-10 reach demo", SOON, () -> before.received("feed-10\""));

            Path newer = newerChannelsJar();
            switchboard.deploy(newer, newer.getFileName().toString());
            send(11, 30);
            await("channels 0.1.1000 is the only channels bundle and demo is ONLINE", SOON, () -> {
                try {
                    JsonNode b = switchboard.bundle("dev.switchboard.channels");
                    return b != null && b.path("version").asText().equals("0.1.1000") && online("demo");
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
            send(31, 40);

            ChannelsClient after = client(demoPort).join("chat:feed");
            try {
                await("every message 1-40 was delivered", SOON, () -> missing(before, after).isEmpty());
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; missing " + missing(before, after) + "; gateways "
                        + switchboard.overview().path("gateways"), e);
            }
        } finally {
            watching.set(false);
            watcher.join();
        }
        assertEquals(null, disturbed.get(), "loop left ONLINE during the redeploy");
        assertEquals(reconnects, switchboard.endpoint("loop").path("reconnects").asLong());
        assertEquals(1, countBundles("dev.switchboard.channels"));
        assertTrue(switchboard.log("switchboard.log").contains("replaces version 0.1.0.SNAPSHOT"));
    }

    @Test
    @Order(10)
    void badInputIsReportedAndEverythingElseKeepsRunning() throws Exception {
        // a corrupt jar in deploy/
        Path garbage = Files.createTempFile("broken", ".jar");
        Files.writeString(garbage, "this is not a zip file");
        switchboard.deploy(garbage, "broken.jar");
        await("the broken jar is reported in the switchboard log", SOON,
                () -> switchboard.log("switchboard.log").lines().anyMatch(l -> l.contains("ERROR")
                        && l.contains("deploy/broken.jar was not installed: not a readable jar")));

        // an unknown key and a wrong type: named in the switchboard log
        int typoPort = Installation.freePort();
        switchboard.writeConfig("dev.switchboard.channels-typo.cfg", "id = typo\nport = " + typoPort + "\nprot = 1\n");
        switchboard.writeConfig("dev.switchboard.channels-wrongtype.cfg", "id = wrongtype\nport = abc\n");
        await("unknown key and wrong type are logged", SOON, () -> {
            String log = switchboard.log("switchboard.log");
            return log.contains("dev.switchboard.channels-typo.cfg: unknown key \"prot\" is ignored")
                    && log.contains("dev.switchboard.channels-wrongtype.cfg: port = \"abc\" is invalid");
        });
        await("typo still runs on its port", SOON, () -> online("typo"));

        // an out-of-range port and a port already in use: OFFLINE with the reason
        switchboard.writeConfig("dev.switchboard.channels-far.cfg", "id = far\nport = 70000\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            switchboard.writeConfig("dev.switchboard.channels-busy.cfg", "id = busy\nport = " + taken.getLocalPort() + "\n");
            await("far and busy are OFFLINE with a reason", SOON,
                    () -> reason("far").contains("70000") && reason("busy").contains("cannot listen"));
        }
        assertEquals("OFFLINE", switchboard.state("far"));
        assertEquals("OFFLINE", switchboard.state("busy"));

        for (String name : List.of("typo", "wrongtype", "far", "busy")) {
            Files.delete(switchboard.home.resolve("etc/dev.switchboard.channels-" + name + ".cfg"));
        }
        await("the removed instances are gone", SOON, () -> "ABSENT".equals(switchboard.state("busy"))
                && "ABSENT".equals(switchboard.state("far")) && "ABSENT".equals(switchboard.state("typo")));
        assertTrue(allActive());
        assertTrue(online("demo") && online("mirror") && online("loop"));
    }

    @Test
    @Order(11)
    void binStopEndsTheProcessAndLeavesNothingBehind() throws Exception {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        switchboard.run("stop", null);
        await("the Karaf process exits", Duration.ofSeconds(90), () -> !process.isAlive());
        assertFalse(ProcessHandle.allProcesses()
                .anyMatch(p -> p.info().commandLine().orElse("").contains(switchboard.home.toString())));
        for (int port : List.of(switchboard.httpPort, switchboard.sshPort, demoPort, mirrorPort)) {
            try (ServerSocket free = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, free.getLocalPort());
            }
        }
        assertTrue(switchboard.run("status", null).contains("Not Running"));
    }

    // --- helpers ------------------------------------------------------------------------------

    private ChannelsClient client(int port) throws Exception {
        ChannelsClient client = ChannelsClient.connect(switchboard.wsUri(port, "/"));
        clients.add(client);
        return client;
    }

    private boolean online(String endpoint) {
        return switchboard.online(endpoint);
    }

    private String reason(String endpoint) {
        try {
            JsonNode e = switchboard.endpoint(endpoint);
            return e == null ? "" : e.path("reason").asText();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private int detail(String endpoint, String name) {
        try {
            JsonNode e = switchboard.endpoint(endpoint);
            return e == null ? -1 : e.path("details").path(name).asInt(-1);
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private boolean allActive() {
        try {
            Set<String> active = new java.util.HashSet<>();
            for (JsonNode b : switchboard.json("/system/console/bundles.json").path("data")) {
                if ("Active".equals(b.path("state").asText())) {
                    active.add(b.path("symbolicName").asText());
                }
            }
            return active.containsAll(BUNDLES);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    private long countBundles(String symbolicName) {
        try {
            long n = 0;
            for (JsonNode b : switchboard.json("/system/console/bundles.json").path("data")) {
                if (symbolicName.equals(b.path("symbolicName").asText())) {
                    n++;
                }
            }
            return n;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Integer> missing(ChannelsClient before, ChannelsClient after) {
        return IntStream.rangeClosed(1, 40)
                .filter(i -> !before.received("feed-" + i + "\"") && !after.received("feed-" + i + "\""))
                .boxed().toList();
    }

    /** Sends "feed-i" for i in [from, to] through the loop endpoint into gateway "feed", in one shell session. */
    private void send(int from, int to) throws Exception {
        String out = switchboard.shell(IntStream.rangeClosed(from, to)
                .mapToObj(i -> "switchboard:send loop feed feed-" + i).collect(Collectors.joining("\n")));
        assertEquals(to - from + 1, out.lines().filter(l -> l.equals("sent to loop #feed")).count(), out);
    }

    /** The installed channels jar rebuilt with a higher Bundle-Version, as a developer's next build. */
    private Path newerChannelsJar() throws IOException {
        Path installed;
        try (var files = Files.walk(switchboard.home.resolve("system/dev/switchboard/switchboard-channels"))) {
            installed = files.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        Path newer = Files.createTempDirectory("redeploy").resolve("switchboard-channels-0.1.1000.jar");
        try (JarFile in = new JarFile(installed.toFile());
             JarOutputStream out = new JarOutputStream(Files.newOutputStream(newer), bumped(in.getManifest()))) {
            for (JarEntry entry : in.stream().toList()) {
                if (entry.getName().equals(JarFile.MANIFEST_NAME) || entry.getName().equals("META-INF/")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                in.getInputStream(entry).transferTo(out);
                out.closeEntry();
            }
        }
        return newer;
    }

    private static Manifest bumped(Manifest manifest) {
        manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), "0.1.1000");
        return manifest;
    }
}
