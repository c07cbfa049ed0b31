package dev.switchboard.tracker.internal;

import static dev.switchboard.tracker.internal.TrackerClientTest.TOKEN;
import static dev.switchboard.tracker.internal.TrackerClientTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.Author;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.itests.peers.tracker.TrackerPeer;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.internal.TyrusTransport;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoint side: tracker events become messages, routed messages become frames, failures become status. */
class TrackerAdapterTest {

    private final BlockingQueue<Message> published = new LinkedBlockingQueue<>();
    private TyrusTransport transport;
    private TrackerPeer peer;
    private TrackerAdapter adapter;
    private Subscription subscription;

    @BeforeEach
    void start() throws Exception {
        transport = new TyrusTransport();
        peer = new TrackerPeer(transport, TOKEN);
        adapter = new TrackerAdapter(transport);
        subscription = adapter.subscribe(published::add);
    }

    @AfterEach
    void stop() {
        subscription.close();
        adapter.stop();
        peer.close();
        transport.close();
    }

    private void online(Duration heartbeat) throws InterruptedException {
        adapter.start(TrackerSettings.of("tracker.main", URI.create(peer.webSocketUrl()), TOKEN, heartbeat));
        await("online", () -> adapter.status().state() == State.ONLINE);
    }

    private Message nextPublished() throws InterruptedException {
        Message message = published.poll(15, TimeUnit.SECONDS);
        assertNotNull(message, "nothing was published");
        return message;
    }

    private static void sent(CompletionStage<Void> stage) {
        stage.toCompletableFuture().orTimeout(15, TimeUnit.SECONDS).join();
    }

    private static DeliveryException refused(CompletionStage<Void> stage) {
        CompletionException failure = assertThrows(CompletionException.class, () -> sent(stage));
        return assertInstanceOf(DeliveryException.class, failure.getCause());
    }

    /** "Never": a plain DeliveryException, which the router does not send again. */
    private static DeliveryException refusedForGood(CompletionStage<Void> stage) {
        DeliveryException refusal = refused(stage);
        assertFalse(refusal instanceof EndpointUnavailableException, refusal.toString());
        return refusal;
    }

    /** A configuration as Config Admin would give it: the values given, Metatype defaults for the rest. */
    static TrackerConfig config(Map<String, Object> values) {
        return (TrackerConfig) Proxy.newProxyInstance(TrackerAdapterTest.class.getClassLoader(),
                new Class<?>[] {TrackerConfig.class},
                (proxy, method, args) -> method.getName().equals("annotationType") ? TrackerConfig.class
                        : values.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    private static Map<String, Object> valid(Object... more) {
        Map<String, Object> values = new HashMap<>(Map.of("trackerUrl", "https://tracker.example.com", "token", TOKEN));
        for (int i = 0; i < more.length; i += 2) {
            values.put((String) more[i], more[i + 1]);
        }
        return values;
    }

    private static String metatype() throws Exception {
        try (InputStream xml = TrackerAdapterTest.class.getResourceAsStream(
                "/OSGI-INF/metatype/" + TrackerConfig.class.getName() + ".xml")) {
            return new String(xml.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theDefaultsConnectToTheTrackersWebSocketAndTheTokenIsAPassword() throws Exception {
        TrackerSettings settings = TrackerAdapter.settings(config(valid()));
        assertEquals("tracker", settings.id());
        assertTrue(settings.enabled());
        assertEquals(URI.create("wss://tracker.example.com/ws"), settings.uri());
        assertEquals("Switchboard", settings.displayName());
        assertEquals(Duration.ofSeconds(30), settings.heartbeatInterval());
        assertEquals(1 << 20, settings.maxFrameBytes());
        assertEquals(Duration.ofSeconds(30), settings.pingInterval());
        assertEquals(Duration.ofSeconds(1), settings.backoff().initial());
        assertEquals(Duration.ofSeconds(30), settings.backoff().max());
        assertFalse(settings.toString().contains(TOKEN));
        String xml = metatype();
        assertTrue(xml.matches("(?s).*<AD [^>]*id=\"token\"[^>]*type=\"Password\".*"), xml);
        assertTrue(xml.matches("(?s).*<AD [^>]*id=\"webconsole.configurationFactory.nameHint\"[^>]*default=\"Tracker\\\\ endpoint\\\\ \\{id}\".*"),
                "the Web Console lists each endpoint by its id: " + xml);
        assertFalse(xml.toLowerCase().contains("seed"), xml);
    }

    @Test
    void theWebSocketAddressIsDerivedFromTheTrackerUrlUnlessGiven() {
        assertEquals(URI.create("ws://tracker.local:3000/ws"),
                TrackerAdapter.settings(config(valid("trackerUrl", "http://tracker.local:3000"))).uri());
        assertEquals(URI.create("wss://tracker.example.com/ws"),
                TrackerAdapter.settings(config(valid("trackerUrl", "https://tracker.example.com/"))).uri());
        assertEquals(URI.create("ws://10.0.0.1/socket"),
                TrackerAdapter.settings(config(valid("trackerUrl", "ws://10.0.0.1/socket"))).uri());
        assertEquals(URI.create("wss://other/live"),
                TrackerAdapter.settings(config(valid("wsUrl", "wss://other/live"))).uri());
        TrackerSettings withSecrets = TrackerAdapter.settings(config(valid("wsUrl", "wss://me:pw@t.example:8443/ws?token=abc")));
        assertEquals("wss://t.example:8443/ws", withSecrets.address());
    }

    /** Every limit the Metatype states is the one the settings check: its min and max work, one beyond does not. */
    @Test
    void theMetatypeRangesAreTheChecksRanges() throws Exception {
        Matcher ad = Pattern.compile("<AD [^>]*id=\"(\\w+)\"[^>]*?(?:min=\"(-?\\d+)\"[^>]*?max=\"(\\d+)\"|max=\"(\\d+)\"[^>]*?min=\"(-?\\d+)\")")
                .matcher(metatype());
        int ranged = 0;
        while (ad.find()) {
            String key = ad.group(1);
            int min = Integer.parseInt(ad.group(2) != null ? ad.group(2) : ad.group(5));
            int max = Integer.parseInt(ad.group(3) != null ? ad.group(3) : ad.group(4));
            TrackerAdapter.settings(config(valid(key, min)));
            TrackerAdapter.settings(config(valid(key, max)));
            for (int beyond : List.of(min - 1, max + 1)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> TrackerAdapter.settings(config(valid(key, beyond))), key + " = " + beyond);
                assertTrue(e.getMessage().startsWith(key + " = " + beyond + ": must be between"), e.getMessage());
            }
            ranged++;
        }
        assertEquals(3, ranged, "heartbeat, frame size and ping interval have ranges");
    }

    /** Bad inputs: a frame limit of 0 or below, no tracker URL, another scheme, no token; and a disabled instance. */
    @Test
    void aConfigurationThatCannotWorkIsOfflineWithTheReasonAndNeverConnects() {
        Map<Map<String, Object>, String> reasons = Map.of(
                valid("trackerUrl", peer.trackerUrl(), "maxFrameBytes", 0), "maxFrameBytes = 0: must be between",
                valid("trackerUrl", peer.trackerUrl(), "maxFrameBytes", -1), "maxFrameBytes = -1: must be between",
                valid("trackerUrl", peer.trackerUrl(), "heartbeatIntervalSeconds", 0), "heartbeatIntervalSeconds = 0",
                valid("trackerUrl", ""), "trackerUrl is empty",
                valid("trackerUrl", "ftp://tracker"), "trackerUrl = ftp://tracker: must be a http://",
                valid("trackerUrl", peer.trackerUrl(), "token", " "), "token is empty");
        reasons.forEach((values, reason) -> {
            adapter.modified(config(values));
            EndpointStatus status = adapter.status();
            assertEquals(State.OFFLINE, status.state(), values.toString());
            assertEquals(Detail.CONFIGURATION_ERROR, status.detail(), values.toString());
            assertTrue(status.reason().startsWith("invalid configuration: " + reason), status.reason());
            assertFalse(status.reason().contains(TOKEN));
        });
        adapter.modified(config(valid("trackerUrl", peer.trackerUrl(), "enabled", false)));
        assertEquals(Detail.DISABLED, adapter.status().detail());
        assertEquals(0, peer.connections());
    }

    @Test
    void startingNeverWaitsForTheNetworkAndSendsMeanwhileAreNotNow() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        adapter.start(TrackerSettings.of("t", URI.create("ws://127.0.0.1:" + closedPort + "/ws"), TOKEN,
                Duration.ofSeconds(30)));
        assertEquals(State.CONNECTING, adapter.status().state());
        await("a retry is announced", () -> adapter.status().reason().contains("retry 1 in"));
        assertEquals(State.CONNECTING, adapter.status().state());
        assertEquals(Detail.COMMUNICATION_ERROR, adapter.status().detail());
        DeliveryException notNow = refused(adapter.send(Message.builder("web", "c1").text("hi").build()));
        assertInstanceOf(EndpointUnavailableException.class, notNow);
        assertEquals(0, adapter.metrics().errors(), "\"not now\" is no error");
    }

    @Test
    void aRejectedTokenIsOfflineWithTheServersReasonOnceAndTheTokenIsNeverShown() throws Exception {
        adapter.start(TrackerSettings.of("t", URI.create(peer.webSocketUrl()), "not-" + TOKEN, Duration.ofSeconds(30)));
        await("offline", () -> adapter.status().state() == State.OFFLINE);
        assertEquals("authentication failed: Invalid token", adapter.status().reason());
        assertEquals(Detail.AUTHENTICATION_FAILED, adapter.status().detail());
        await("the client gave up", () -> adapter.client().connectionState() == WebSocketClient.State.CLOSED);
        assertEquals(1, peer.connections(), "no retry after a refusal");
        assertFalse(adapter.metrics().toString().contains(TOKEN));
        DeliveryException notNow = refused(adapter.send(Message.builder("web", "c1").text("hi").build()));
        assertInstanceOf(EndpointUnavailableException.class, notNow);
        assertTrue(notNow.getMessage().endsWith("not authenticated: authentication failed: Invalid token"),
                notNow.getMessage());
    }

    @Test
    void aChatMessageIsPublishedOnItsChatAsChat() throws Exception {
        online(Duration.ofSeconds(30));
        peer.push("chat.message", "m1", Map.of("chat_id", "lobby-chat", "content", "hello all",
                "author", Map.of("id", "u1", "name", "Ada")), Instant.ofEpochMilli(1_700_000_000_000L));
        Message chat = nextPublished();
        assertEquals("m1", chat.id());
        assertEquals("tracker.main", chat.endpoint());
        assertEquals("lobby-chat", chat.channel());
        assertEquals(Message.CHAT, chat.event());
        assertEquals("hello all", chat.text());
        assertEquals(new Author("u1", "Ada"), chat.author());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), chat.time());
        assertEquals("hello all", ((Map<?, ?>) chat.data()).get("content"));

        peer.push("task.comment", "m2", Map.of("task_id", "t7", "content", "looks good"));
        Message comment = nextPublished();
        assertEquals("task:t7", comment.channel(), "a comment's chat is its task");
        assertEquals(Message.CHAT, comment.event());
        assertEquals("looks good", comment.text());
        assertTrue(published.isEmpty());
    }

    /** Task events name a chat too; they must never reach it. */
    @Test
    void everyOtherEventIsPublishedOnEventsAndOnItsTaskNeverOnAChat() throws Exception {
        online(Duration.ofSeconds(30));
        peer.push("task.updated", "e1", Map.of("chat_id", "lobby-chat", "status", "done", "internal_note", "n"));
        Message updated = nextPublished();
        assertEquals("events", updated.channel());
        assertEquals("task.updated", updated.event());
        assertNull(updated.text());
        assertEquals(Map.of("chat_id", "lobby-chat", "status", "done", "internal_note", "n"), updated.data());

        peer.push("task.assigned", "e2", Map.of("task_id", "t7", "chat_id", "lobby-chat", "title", "Fix it"));
        Message onEvents = nextPublished();
        Message onTask = nextPublished();
        assertEquals(List.of("events", "task:t7"), List.of(onEvents.channel(), onTask.channel()));
        assertEquals(List.of("e2", "e2"), List.of(onEvents.id(), onTask.id()), "one id: a gateway delivers it once");
        assertEquals("task.assigned", onTask.event());

        peer.push("project.updated", "e3", Map.of("project_id", "p1"));
        assertEquals("events", nextPublished().channel());
        peer.push("task.assigned", "e2", Map.of("task_id", "t7"));
        peer.push("presence", null, Map.of("who", "bob"));
        Message presence = nextPublished();
        assertEquals("events", presence.channel(), "the duplicate e2 was not published");
        assertEquals("presence", presence.event());
        assertTrue(published.isEmpty());
        assertEquals(0L, adapter.metrics().details().get("malformedChatMessages"));
    }

    /** Bad inputs: chat messages whose content is an object, a number, missing. */
    @Test
    void aChatMessageWhoseContentIsNotAStringIsCountedAndPublishedAsAnEvent() throws Exception {
        online(Duration.ofSeconds(30));
        peer.push("chat.message", "m1", Map.of("chat_id", "lobby-chat", "content", Map.of("text", "sneaky")));
        peer.push("chat.message", "m2", Map.of("chat_id", "lobby-chat", "content", 42));
        peer.push("chat_message", "m3", Map.of("chat_id", "lobby-chat"));
        for (String id : List.of("m1", "m2", "m3")) {
            Message message = nextPublished();
            assertEquals(id, message.id());
            assertEquals("events", message.channel());
            assertFalse(message.isChat());
            assertNull(message.text());
        }
        peer.push("chat.message", "m4", Map.of("chat_id", "lobby-chat", "content", "fine"));
        assertEquals("lobby-chat", nextPublished().channel());
        assertEquals(3L, adapter.metrics().details().get("malformedChatMessages"));
    }

    /** Bad input: a listener that throws; the next message still arrives. */
    @Test
    void aListenerThatThrowsDoesNotStopTheNextMessage() throws Exception {
        Subscription failing = adapter.subscribe(message -> {
            throw new IllegalStateException("listener bug");
        });
        try {
            online(Duration.ofSeconds(30));
            peer.push("presence", "e1", Map.of());
            peer.push("presence", "e2", Map.of());
            assertEquals("e1", nextPublished().id());
            assertEquals("e2", nextPublished().id());
            await("both failures counted", () -> adapter.metrics().errors() == 2);
        } finally {
            failing.close();
        }
    }

    @Test
    void routedMessagesBecomeChatSendTaskCommentsAndStreamEvents() throws Exception {
        online(Duration.ofSeconds(30));
        sent(adapter.send(Message.builder("web", "lobby-chat").author("a", "Ada").text("[web] Ada: hi")
                .data(Map.of("mentions", List.of("bob"), "thinking", "brief")).build()));
        sent(adapter.send(Message.builder("web", "task:t7").text("looks good").build()));
        sent(adapter.send(Message.builder("web", "task:t7").event("agent.stream.delta").data(Map.of("delta", "par")).build()));
        sent(adapter.send(Message.builder("web", "c2").event("agent.stream.tool").data(Map.of("tool", "grep", "chat_id", "c9")).build()));
        await("all written", () -> peer.chatSends().size() == 2 && peer.received("agent.stream.tool").size() == 1);
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "[web] Ada: hi", "mentions", List.of("bob"),
                "chat_id", "lobby-chat", "thinking", "brief"), peer.chatSends().get(0));
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "looks good", "mentions", List.of(),
                "task_id", "t7"), peer.chatSends().get(1));
        assertEquals(Map.of("type", "agent.stream.delta", "event", "agent.stream.delta", "delta", "par", "task_id", "t7"),
                peer.received("agent.stream.delta").get(0));
        assertEquals(Map.of("type", "agent.stream.tool", "event", "agent.stream.tool", "tool", "grep", "chat_id", "c9"),
                peer.received("agent.stream.tool").get(0), "data that names its chat is passed through as it is");
        assertEquals(4, adapter.metrics().messagesOut());
        assertTrue(published.isEmpty(), "nothing sent is published back");
    }

    /** Bad inputs: an event without text, a project or the events channel, task progress off a task channel. */
    @Test
    void messagesTheTrackerCannotTakeAreRefusedForGoodWithAReason() throws Exception {
        online(Duration.ofSeconds(30));
        assertTrue(refusedForGood(adapter.send(Message.builder("web", "c1").event("task:done").data(Map.of("n", 1)).build()))
                .getMessage().contains("has no text"));
        assertTrue(refusedForGood(adapter.send(Message.builder("web", "project:p1").text("hi").build()))
                .getMessage().contains("cannot send to project:p1"));
        assertTrue(refusedForGood(adapter.send(Message.builder("web", "events").text("hi").build()))
                .getMessage().contains("cannot send to events"));
        assertTrue(refusedForGood(adapter.send(Message.builder("web", "c1").event(TrackerCodec.TASK_START).build()))
                .getMessage().contains("needs channel task:<id>"));
        assertTrue(peer.chatSends().isEmpty());
        assertEquals(4, adapter.metrics().errors());
    }

    @Test
    void taskProgressTurnsTheHeartbeatBusyAndBack() throws Exception {
        online(Duration.ofMillis(30));
        await("an online heartbeat", () -> peer.heartbeatStatuses().contains("online"));
        sent(adapter.send(Message.builder("web", "task:t1").event(TrackerCodec.TASK_START).build()));
        assertEquals(List.of("t1"), adapter.metrics().details().get("tasksInProgress"));
        await("a busy heartbeat", () -> peer.heartbeatStatuses().contains("busy"));
        sent(adapter.send(Message.builder("web", "task:t1").event(TrackerCodec.TASK_END).build()));
        int busyAt = peer.heartbeatStatuses().lastIndexOf("busy");
        await("online after the task", () -> {
            List<Object> statuses = peer.heartbeatStatuses();
            return statuses.subList(busyAt + 1, statuses.size()).stream().filter("online"::equals).count() >= 2;
        });
        assertFalse(peer.received().stream().anyMatch(f -> String.valueOf(f.get("type")).startsWith("agent.task")),
                "task progress is never sent to the tracker");
    }

    @Test
    void metricsNameTheLobbyProjectsMembersEventsDuplicatesAndReconnects() throws Exception {
        online(Duration.ofSeconds(30));
        peer.push("presence", "e1", Map.of());
        nextPublished();
        await("the ack arrived before the drop", () -> peer.acks().size() == 1);
        peer.dropAll();
        await("back online", () -> peer.authentications() == 2 && adapter.status().state() == State.ONLINE);
        peer.push("presence", "e1", Map.of());
        peer.push("presence", "e2", Map.of());
        assertEquals("e2", nextPublished().id(), "no duplicate delivery across the reconnect");

        EndpointMetrics metrics = adapter.metrics();
        Map<String, Object> details = metrics.details();
        assertEquals("lobby-chat", details.get("lobbyChatId"));
        assertEquals(List.of("ada", "bob"), details.get("online"));
        assertEquals(2, ((List<?>) details.get("projects")).size());
        assertEquals(Map.of("id", "p1", "slug", "alpha", "name", "Alpha", "chat_id", "alpha-chat"),
                ((List<?>) details.get("projects")).get(0));
        assertEquals(3L, details.get("eventsReceived"));
        assertEquals(1L, details.get("duplicatesDropped"));
        assertEquals(1L, details.get("reconnects"));
        assertEquals(1L, metrics.reconnects());
        assertEquals(2, metrics.messagesIn());
        assertEquals(peer.webSocketUrl(), details.get("url"));
        assertTrue(metrics.bytesIn() > 0 && metrics.bytesOut() > 0);
    }

    @Test
    void eventsSeenBeforeAReconfigurationAreNotDeliveredAgain() throws Exception {
        online(Duration.ofSeconds(30));
        peer.push("presence", "e1", Map.of());
        assertEquals("e1", nextPublished().id());
        online(Duration.ofSeconds(10));
        peer.push("presence", "e1", Map.of());
        peer.push("presence", "e2", Map.of());
        assertEquals("e2", nextPublished().id());
    }

    /** The heartbeat beats on the transport's timer: the source thread is the tracker's only one. */
    @Test
    void theHeartbeatHasNoThreadOfItsOwnAndStoppingLeavesNoTrackerThreadBehind() throws Exception {
        online(Duration.ofMillis(30));
        peer.push("presence", "e1", Map.of());
        nextPublished();
        await("several heartbeats", () -> peer.heartbeatStatuses().size() >= 3);
        assertEquals(List.of("switchboard-tracker-tracker.main-source"), trackerThreads());
        adapter.stop();
        await("no tracker thread is left", () -> trackerThreads().isEmpty());
        assertEquals(Detail.STOPPED, adapter.status().detail());
        await("the tracker saw the agent leave", () -> peer.authenticatedAgents() == 0);
    }

    private static List<String> trackerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("switchboard-tracker-") || name.contains("heartbeat")).toList();
    }
}
