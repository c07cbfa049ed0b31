package dev.switchboard.tracker.internal;

import static dev.switchboard.tracker.internal.TrackerClientTest.TOKEN;
import static dev.switchboard.tracker.internal.TrackerClientTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.Author;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.itests.peers.tracker.TrackerPeer;
import dev.switchboard.transport.internal.TyrusTransport;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
        adapter.start(TrackerAdapter.Options.of("tracker.main", peer.trackerUrl(), TOKEN, heartbeat));
        await("online", () -> adapter.status().state() == EndpointStatus.State.ONLINE);
    }

    private Message nextPublished() throws InterruptedException {
        Message message = published.poll(15, TimeUnit.SECONDS);
        assertNotNull(message, "nothing was published");
        return message;
    }

    private static void sent(java.util.concurrent.CompletionStage<Void> stage) {
        stage.toCompletableFuture().orTimeout(15, TimeUnit.SECONDS).join();
    }

    private static DeliveryException refused(java.util.concurrent.CompletionStage<Void> stage) {
        CompletionException failure = assertThrows(CompletionException.class, () -> sent(stage));
        return assertInstanceOf(DeliveryException.class, failure.getCause());
    }

    @Test
    void theDefaultsAreTheSeedsAndTheTokenIsAPassword() throws Exception {
        TrackerConfig defaults = (TrackerConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TrackerConfig.class}, (proxy, method, args) -> method.getDefaultValue());
        TrackerAdapter.Options options = TrackerAdapter.options(defaults);
        assertEquals("tracker", options.id());
        assertTrue(options.enabled());
        assertEquals(Duration.ofSeconds(30), options.heartbeatInterval());
        assertEquals(Duration.ofSeconds(1), options.backoff().initial());
        assertEquals(Duration.ofSeconds(30), options.backoff().max());
        try (InputStream metatype = getClass().getResourceAsStream(
                "/OSGI-INF/metatype/" + TrackerConfig.class.getName() + ".xml")) {
            String xml = new String(metatype.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.matches("(?s).*<AD [^>]*id=\"token\"[^>]*type=\"Password\".*"), xml);
        }
        assertFalse(TrackerAdapter.Options.of("t", "http://x", TOKEN, Duration.ofSeconds(1)).toString().contains(TOKEN));
    }

    /** Bad inputs: no tracker URL, no token; and a disabled instance. None of them connects. */
    @Test
    void aConfigurationThatCannotWorkIsOfflineWithTheReason() {
        adapter.start(TrackerAdapter.Options.of("t", "", TOKEN, Duration.ofSeconds(30)));
        assertEquals(EndpointStatus.State.OFFLINE, adapter.status().state());
        assertTrue(adapter.status().reason().startsWith("bad tracker URL"), adapter.status().reason());
        adapter.stop();
        adapter.start(TrackerAdapter.Options.of("t", peer.trackerUrl(), " ", Duration.ofSeconds(30)));
        assertEquals("no token configured", adapter.status().reason());
        adapter.stop();
        TrackerAdapter.Options enabled = TrackerAdapter.Options.of("t", peer.trackerUrl(), TOKEN, Duration.ofSeconds(30));
        adapter.start(new TrackerAdapter.Options("t", false, enabled.trackerUrl(), "", TOKEN, "x",
                enabled.heartbeatInterval(), enabled.maxFrameBytes(), enabled.pingInterval(), enabled.backoff()));
        assertEquals(EndpointStatus.offline("disabled in its configuration").reason(), adapter.status().reason());
        assertEquals(0, peer.connections());
    }

    @Test
    void startingNeverWaitsForTheNetwork() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        adapter.start(TrackerAdapter.Options.of("t", "http://127.0.0.1:" + closedPort, TOKEN, Duration.ofSeconds(30)));
        assertEquals(EndpointStatus.State.CONNECTING, adapter.status().state());
        await("a retry is announced", () -> adapter.status().reason().contains("retry 1 in"));
        assertEquals(EndpointStatus.State.CONNECTING, adapter.status().state());
    }

    @Test
    void aRejectedTokenIsOfflineWithTheServersReasonAndTheTokenIsNeverShown() throws Exception {
        adapter.start(TrackerAdapter.Options.of("t", peer.trackerUrl(), "not-" + TOKEN, Duration.ofSeconds(30)));
        await("offline", () -> adapter.status().state() == EndpointStatus.State.OFFLINE);
        assertEquals("authentication failed: Invalid token", adapter.status().reason());
        assertFalse(adapter.metrics().toString().contains(TOKEN));
        assertEquals("not authenticated: authentication failed: Invalid token",
                refused(adapter.send(Message.builder("web", "c1").text("hi").build())).getMessage().substring(3));
    }

    @Test
    void trackerEventsBecomeMessagesOnTheirChatTaskOrProject() throws Exception {
        online(Duration.ofSeconds(30));
        peer.push("chat.message", "m1", Map.of("chat_id", "lobby-chat", "content", "hello all",
                "author", Map.of("id", "u1", "name", "Ada")));
        Message chat = nextPublished();
        assertEquals("m1", chat.id());
        assertEquals("tracker.main", chat.endpoint());
        assertEquals("lobby-chat", chat.channel());
        assertEquals(Message.CHAT, chat.event());
        assertEquals("hello all", chat.text());
        assertEquals(new Author("u1", "Ada"), chat.author());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), chat.time());
        assertEquals("hello all", ((Map<?, ?>) chat.data()).get("content"));

        peer.push("task.assigned", "e2", Map.of("task_id", "t7", "title", "Fix it"));
        Message task = nextPublished();
        assertEquals("task:t7", task.channel());
        assertEquals("task.assigned", task.event());
        assertEquals(null, task.text());
        assertEquals(Map.of("task_id", "t7", "title", "Fix it"), task.data());

        peer.push("project.updated", "e3", Map.of("project_id", "p1"));
        assertEquals("project:p1", nextPublished().channel());
        peer.push("chat.message", "m1", Map.of("chat_id", "lobby-chat", "content", "hello all"));
        peer.push("presence", null, Map.of("who", "bob"));
        Message presence = nextPublished();
        assertEquals("events", presence.channel(), "the duplicate m1 was not published");
        assertEquals(4, adapter.metrics().messagesIn());
    }

    /** Bad input: a listener that throws; the next message still arrives. */
    @Test
    void aListenerThatThrowsDoesNotStopTheNextMessage() throws Exception {
        Subscription failing = adapter.subscribe(message -> {
            throw new IllegalStateException("listener bug");
        });
        try {
            online(Duration.ofSeconds(30));
            peer.push("task.assigned", "e1", Map.of());
            peer.push("task.assigned", "e2", Map.of());
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

    /** Bad inputs: an event without text, a project channel, task progress off a task channel. */
    @Test
    void messagesTheTrackerCannotTakeAreRefusedWithAReason() throws Exception {
        online(Duration.ofSeconds(30));
        assertTrue(refused(adapter.send(Message.builder("web", "c1").event("task:done").data(Map.of("n", 1)).build()))
                .getMessage().contains("has no text"));
        assertTrue(refused(adapter.send(Message.builder("web", "project:p1").text("hi").build()))
                .getMessage().contains("cannot send to project:p1"));
        assertTrue(refused(adapter.send(Message.builder("web", "c1").event(TrackerCodec.TASK_START).build()))
                .getMessage().contains("needs channel task:<id>"));
        assertTrue(peer.chatSends().isEmpty());
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
        peer.push("task.assigned", "e1", Map.of());
        nextPublished();
        await("the ack arrived before the drop", () -> peer.acks().size() == 1);
        peer.dropAll();
        await("back online", () -> peer.authentications() == 2 && adapter.status().state() == EndpointStatus.State.ONLINE);
        peer.push("task.assigned", "e1", Map.of());
        peer.push("task.assigned", "e2", Map.of());
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
        assertEquals("ws://127.0.0.1:" + peer.trackerUrl().substring(peer.trackerUrl().lastIndexOf(':') + 1) + "/ws",
                details.get("url"));
        assertTrue(metrics.bytesIn() > 0 && metrics.bytesOut() > 0);
    }

    @Test
    void eventsSeenBeforeAReconfigurationAreNotDeliveredAgain() throws Exception {
        online(Duration.ofSeconds(30));
        peer.push("task.assigned", "e1", Map.of());
        assertEquals("e1", nextPublished().id());
        adapter.stop();
        online(Duration.ofSeconds(10));
        peer.push("task.assigned", "e1", Map.of());
        peer.push("task.assigned", "e2", Map.of());
        assertEquals("e2", nextPublished().id());
    }

    @Test
    void stoppingLeavesNoTrackerThreadBehind() throws Exception {
        online(Duration.ofMillis(30));
        peer.push("task.assigned", "e1", Map.of());
        nextPublished();
        // the heartbeat beats on the transport's timer; the source thread is the tracker's own
        await("the source thread runs", () -> !trackerThreads().isEmpty());
        adapter.stop();
        await("no tracker thread is left", () -> trackerThreads().isEmpty());
        assertEquals(EndpointStatus.offline("stopped").reason(), adapter.status().reason());
    }

    private static List<String> trackerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("switchboard-tracker-")).toList();
    }
}
