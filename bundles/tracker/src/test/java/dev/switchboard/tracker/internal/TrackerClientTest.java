package dev.switchboard.tracker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.api.DedupCache;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.itests.peers.tracker.TrackerPeer;
import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.internal.TyrusTransport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The protocol state machine against the loopback tracker double. */
class TrackerClientTest {

    static final String TOKEN = "s3cret-token";
    private static final long TIMEOUT_SECONDS = 15;

    private record Retry(int attempt, Duration delay, String reason) {
    }

    private final BlockingQueue<TrackerCodec.Event> events = new LinkedBlockingQueue<>();
    private final List<EndpointStatus> statuses = new CopyOnWriteArrayList<>();
    private final List<Retry> retries = new CopyOnWriteArrayList<>();
    private final DedupCache seen = new DedupCache();
    private volatile String throwOn;
    private TyrusTransport transport;
    private TrackerPeer peer;
    private TrackerClient client;

    @BeforeEach
    void startPeer() throws Exception {
        transport = new TyrusTransport();
        peer = new TrackerPeer(transport, TOKEN);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        peer.close();
        transport.close();
    }

    private TrackerClient start(String token, Duration heartbeat, int maxFrameBytes) {
        TrackerSettings settings = new TrackerSettings("tr", true,
                TrackerSettings.webSocketUri(URI.create(peer.trackerUrl())), token, "Agent Smith", heartbeat,
                maxFrameBytes, Duration.ZERO, Backoff.STANDARD);
        client = new TrackerClient(transport, settings, seen, new TrackerClient.Listener() {
            @Override
            public void onEvent(TrackerCodec.Event event) {
                if (event.type().equals(throwOn)) {
                    throw new IllegalStateException("handler bug on " + event.type());
                }
                events.add(event);
            }

            @Override
            public void onStatus(EndpointStatus status) {
                statuses.add(status);
            }

            @Override
            public void onRetry(int attempt, Duration delay, String reason) {
                retries.add(new Retry(attempt, delay, reason));
            }
        });
        client.start();
        return client;
    }

    private TrackerClient authenticated() throws InterruptedException {
        start(TOKEN, Duration.ofSeconds(30), 1 << 20);
        awaitOnline();
        return client;
    }

    /** Authenticated and reported: the flag is set before the status, so a sink never refuses once ONLINE shows. */
    private void awaitOnline() throws InterruptedException {
        await("online", () -> client.authenticated() && lastStatus().state() == EndpointStatus.State.ONLINE);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private TrackerCodec.Event nextEvent() throws InterruptedException {
        TrackerCodec.Event event = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(event, "no event arrived");
        return event;
    }

    private EndpointStatus lastStatus() {
        return statuses.get(statuses.size() - 1);
    }

    /** Delay within the schedule's jitter (±20 %) of {@code seconds}: the schedule, never the test's clock. */
    private static void assertDelay(long seconds, Duration delay) {
        long ms = delay.toMillis();
        assertTrue(ms >= seconds * 800 && ms <= seconds * 1200, "delay " + ms + " ms for a " + seconds + " s step");
    }

    @ParameterizedTest(name = "peer writes {0}, underscores {1}, init/agents_online {2}")
    @CsvSource({"TYPE,false,false", "EVENT,true,true", "TYPE,true,false", "EVENT,false,true"})
    void authenticatesInEitherConventionAndStartsTheSession(TrackerPeer.Convention field, boolean underscores,
                                                            boolean alternativeFields) throws Exception {
        peer.speak(field).underscoreSpelling(underscores).alternativeAuthFields(alternativeFields);
        authenticated();
        assertEquals(Map.of("type", "auth", "event", "auth", "token", TOKEN), peer.received().get(0));
        TrackerClient.Session session = client.session();
        assertEquals("lobby-chat", session.lobbyChatId());
        assertEquals(List.of(new TrackerCodec.Project("p1", "alpha", "Alpha", "alpha-chat"),
                new TrackerCodec.Project("p2", "beta", "Beta", null)), session.projects());
        assertEquals(List.of("ada", "bob"), session.online());
        assertEquals(EndpointStatus.State.ONLINE, lastStatus().state());
        assertEquals("authenticated as Agent Smith; lobby chat lobby-chat", lastStatus().reason());
        await("the first heartbeat, at once", () -> !peer.heartbeatStatuses().isEmpty());
        assertEquals("online", peer.heartbeatStatuses().get(0));
        Map<String, Object> heartbeat = peer.received("heartbeat").get(0);
        assertEquals("heartbeat", heartbeat.get("event"));
    }

    @ParameterizedTest(name = "underscores {0}")
    @CsvSource({"false", "true"})
    void aRejectedTokenIsOfflineWithTheServersReasonAndNeverRetried(boolean underscores) throws Exception {
        peer.underscoreSpelling(underscores);
        start("wrong-token", Duration.ofSeconds(30), 1 << 20);
        await("the client gave up", () -> client.connectionState() == WebSocketClient.State.CLOSED);
        assertEquals("Invalid token", client.rejection());
        assertEquals("authentication failed: Invalid token", lastStatus().reason());
        assertEquals(EndpointStatus.State.OFFLINE, lastStatus().state());
        assertEquals(EndpointStatus.Detail.AUTHENTICATION_FAILED, lastStatus().detail());
        // a closed transport client never reconnects: no storm, by construction rather than by waiting
        assertEquals(List.of(), retries);
        assertEquals(1, peer.connections());
        assertEquals(1, peer.rejections());
        assertFalse(client.authenticated());
        assertTrue(statuses.stream().noneMatch(s -> s.reason().contains("wrong-token")), "the token is never shown");
    }

    @Test
    void theHeartbeatSaysBusyWhileATaskIsInProgressAndEveryAckSpellingIsTaken() throws Exception {
        start(TOKEN, Duration.ofMillis(30), 1 << 20);
        await("online heartbeats", () -> peer.heartbeatStatuses().contains("online"));
        client.taskStarted("t1");
        await("a busy heartbeat", () -> peer.heartbeatStatuses().contains("busy"));
        client.taskEnded("t1");
        await("online again", () -> {
            List<Object> all = peer.heartbeatStatuses();
            return all.get(all.size() - 1).equals("online") && all.lastIndexOf("busy") < all.size() - 1;
        });
        await("the three ack spellings were answered", () -> client.heartbeatAcks() >= 3);
        assertTrue(events.isEmpty(), "heartbeat acks are not events");
        assertEquals(0, client.errors());
    }

    @Test
    void eventsAreAckedByIdDeliveredOnceAndReadFromEitherField() throws Exception {
        authenticated();
        peer.push("task.assigned", "e1", Map.of("task_id", "t1"));
        TrackerCodec.Event first = nextEvent();
        assertEquals("task.assigned", first.type());
        assertEquals("e1", first.id());
        assertEquals("t1", first.data().get("task_id").asText());

        peer.push("task.assigned", "e1", Map.of("task_id", "t1"));
        peer.speak(TrackerPeer.Convention.EVENT).push("chat.message", "e2", Map.of("chat_id", "c1", "content", "hi"));
        TrackerCodec.Event second = nextEvent();
        assertEquals("e2", second.id(), "the duplicate e1 was not delivered");
        assertEquals("chat.message", second.type());

        peer.push("presence", null, Map.of("agent", "ada"));
        TrackerCodec.Event withoutId = nextEvent();
        assertFalse(withoutId.fromTracker());
        await("three acks", () -> peer.acks().size() == 3);
        assertEquals(List.of("e1", "e1", "e2"), peer.acks(), "every ack names its event; a redelivery is acked again");
        Map<String, Object> ack = peer.received("ack").get(0);
        assertEquals("ack", ack.get("event"));
        assertEquals(4, client.eventsReceived());
        assertEquals(1, client.duplicates());
    }

    /** Bad input: more ids than the dedup bound (10 001), then ids from before the trim again. */
    @Test
    void deduplicationKeepsTheNewestFiveThousandOnceOverTenThousand() throws Exception {
        authenticated();
        for (int batch = 0; batch < 10_001; batch += 1000) {
            for (int i = batch + 1; i <= Math.min(batch + 1000, 10_001); i++) {
                peer.push("task.updated", "e-" + i, Map.of("n", i));
            }
            int acked = Math.min(batch + 1000, 10_001);
            await(acked + " acks", () -> peer.acks().size() >= acked);
        }
        await("10 001 events delivered", () -> events.size() == 10_001);
        events.clear();
        peer.push("task.updated", "e-10001", Map.of());
        peer.push("task.updated", "e-5002", Map.of());
        peer.push("task.updated", "e-5001", Map.of());
        peer.push("task.updated", "e-1", Map.of());
        assertEquals("e-5001", nextEvent().id(), "trimmed: delivered again");
        assertEquals("e-1", nextEvent().id());
        assertEquals(2, client.duplicates(), "e-10001 and e-5002 are still remembered");
        assertEquals(5_002, seen.size());
    }

    /** Bad inputs: a non-JSON frame, JSON without type/event, JSON that is not an object, a handler that throws. */
    @Test
    void badFramesAndAFailingHandlerAreDroppedAndTheNextEventArrives() throws Exception {
        authenticated();
        peer.pushRaw("this is not JSON");
        peer.pushRaw("{\"id\":\"x1\",\"data\":{\"chat_id\":\"c1\"}}");
        peer.pushRaw("[\"auth.ok\"]");
        throwOn = "task.broken";
        peer.push("task.broken", "e1", Map.of());
        peer.push("task.fine", "e2", Map.of());
        assertEquals("e2", nextEvent().id());
        assertEquals(4, client.errors());
        assertTrue(client.authenticated(), "still connected");
        assertEquals(1, peer.connections());
        await("both events acked", () -> peer.acks().equals(List.of("e1", "e2")));
    }

    /** Bad input: auth.ok without data. */
    @Test
    void authOkWithoutDataStartsAnEmptySession() throws Exception {
        peer.authOkWithoutData(true);
        authenticated();
        assertNull(client.session().lobbyChatId());
        assertEquals(List.of(), client.session().projects());
        assertEquals(List.of(), client.session().online());
        assertEquals("authenticated as Agent Smith", lastStatus().reason());
        await("the heartbeat started", () -> !peer.heartbeatStatuses().isEmpty());
    }

    /** Bad input: a frame over the configured maximum closes with 1009; the client comes back. */
    @Test
    void anOversizeFrameClosesWith1009AndTheClientComesBack() throws Exception {
        start(TOKEN, Duration.ofSeconds(30), 4096);
        awaitOnline();
        peer.push("task.updated", "big", Map.of("blob", "x".repeat(10_000)));
        await("a retry after 1009", () -> !retries.isEmpty());
        assertTrue(retries.get(0).reason().contains("1009"), retries.get(0).reason());
        await("authenticated again", () -> peer.authentications() == 2 && client.authenticated());
        peer.push("task.updated", "small", Map.of());
        assertEquals("small", nextEvent().id());
    }

    @Test
    void afterADropTheClientReauthenticatesRestartsTheHeartbeatAndDeliversNothingTwice() throws Exception {
        start(TOKEN, Duration.ofSeconds(30), 1 << 20);
        awaitOnline();
        peer.push("task.assigned", "e1", Map.of());
        assertEquals("e1", nextEvent().id());
        await("one heartbeat", () -> peer.heartbeatStatuses().size() == 1);
        await("the ack arrived before the drop", () -> peer.acks().size() == 1);

        peer.dropAll();
        await("a retry", () -> !retries.isEmpty());
        assertEquals(1, retries.get(0).attempt());
        assertDelay(1, retries.get(0).delay());
        EndpointStatus retrying = statuses.stream().filter(s -> s.reason().contains("retry 1 in")).findFirst().orElseThrow();
        assertEquals(EndpointStatus.State.CONNECTING, retrying.state());
        assertEquals(EndpointStatus.Detail.COMMUNICATION_ERROR, retrying.detail());
        await("authenticated again", () -> peer.authentications() == 2 && client.authenticated());
        await("the heartbeat restarted at once", () -> peer.heartbeatStatuses().size() == 2);
        assertEquals(2, peer.received("auth").size());

        peer.push("task.assigned", "e1", Map.of());
        peer.push("task.assigned", "e2", Map.of());
        assertEquals("e2", nextEvent().id(), "the redelivered e1 is not delivered twice");
        await("both acked", () -> peer.acks().size() >= 3);
        assertEquals(List.of("e1", "e1", "e2"), peer.acks());
        assertEquals(1, client.transportMetrics().reconnects());
    }

    @Test
    void theBackoffDoublesUntilAuthOkResetsIt() throws Exception {
        peer.dropNextConnections(2);
        start(TOKEN, Duration.ofSeconds(30), 1 << 20);
        awaitOnline();
        assertEquals(List.of(1, 2), retries.stream().map(Retry::attempt).toList());
        assertDelay(1, retries.get(0).delay());
        assertDelay(2, retries.get(1).delay());

        peer.dropAll();
        await("a retry after the drop", () -> retries.size() == 3);
        assertEquals(1, retries.get(2).attempt(), "auth.ok reset the schedule");
        assertDelay(1, retries.get(2).delay());
        await("authenticated again", () -> peer.authentications() == 2 && client.authenticated());
    }

    @Test
    void chatMessagesTaskCommentsAndStreamEventsAreWritten() throws Exception {
        authenticated();
        client.chat(TrackerCodec.Target.of("c1"), "hello", List.of("ada"), null).toCompletableFuture().join();
        client.chat(TrackerCodec.Target.of("task:t9"), "done", List.of(), "it was easy").toCompletableFuture().join();
        client.stream("agent.stream.delta", Map.of("task_id", "t9", "delta", "wor")).toCompletableFuture().join();
        client.stream("agent.stream.tool", Map.of("task_id", "t9", "tool", "grep")).toCompletableFuture().join();
        await("two chat.send frames", () -> peer.chatSends().size() == 2);
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "hello", "mentions", List.of("ada"),
                "chat_id", "c1"), peer.chatSends().get(0));
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "done", "mentions", List.of(),
                "task_id", "t9", "thinking", "it was easy"), peer.chatSends().get(1));
        await("the stream events", () -> peer.received("agent.stream.tool").size() == 1);
        assertEquals(Map.of("type", "agent.stream.delta", "event", "agent.stream.delta", "task_id", "t9", "delta", "wor"),
                peer.received("agent.stream.delta").get(0));
    }

    @Test
    void sendingFailsWhileNotAuthenticated() throws Exception {
        start("wrong-token", Duration.ofSeconds(30), 1 << 20);
        await("rejected", () -> client.rejection() != null);
        try {
            client.chat(TrackerCodec.Target.of("c1"), "hello", List.of(), null).toCompletableFuture().join();
            fail("sent while not authenticated");
        } catch (CompletionException expected) {
            assertEquals("not authenticated with the tracker", expected.getCause().getMessage());
        }
        assertTrue(peer.chatSends().isEmpty());
    }
}
