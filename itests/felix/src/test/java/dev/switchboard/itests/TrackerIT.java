package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.itests.peers.tracker.TrackerPeer;
import dev.switchboard.transport.WebSocketTransport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The tracker adapter in a real Felix, configured through Config Admin, against the loopback
 * tracker double: authentication both ways, events as messages (deduplicated, acked), the sink's
 * frames, heartbeat busy/online, bad inputs, a dropped connection, a gateway carrying chat
 * between the tracker's lobby and a channels topic in both directions, and tracker events kept out
 * of chats, delivered only to a member that names the events channel.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TrackerIT extends SwitchboardTestSupport {

    private static final String TOKEN = "agent-token-1";
    private static final long TIMEOUT_SECONDS = 30;

    @Inject
    private WebSocketTransport transport;

    @Inject
    private MetaTypeService metatype;

    private TrackerPeer peer;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final List<Browser> browsers = new ArrayList<>();

    @Before
    public void startPeer() throws Exception {
        peer = new TrackerPeer(transport, TOKEN);
    }

    @After
    public void stopPeer() {
        subscriptions.forEach(Subscription::close);
        subscriptions.clear();
        browsers.forEach(Browser::close);
        browsers.clear();
        peer.close();
    }

    @Test
    public void anAgentAuthenticatesPublishesEventsOnceAndAcksThem() throws Exception {
        BlockingQueue<Message> published = online("tracker-events", "maxFrameBytes", 4096);
        Map<String, Object> details = endpoint("tracker-events").metrics().details();
        assertEquals("lobby-chat", details.get("lobbyChatId"));
        assertEquals(List.of("ada", "bob"), details.get("online"));
        assertEquals(2, ((List<?>) details.get("projects")).size());
        assertEquals(Map.of("type", "auth", "event", "auth", "token", TOKEN), peer.received().get(0));

        peer.push("chat.message", "m1", Map.of("chat_id", "lobby-chat", "content", "hello agents",
                "author", Map.of("id", "u1", "name", "Ada")));
        Message chat = next(published);
        assertEquals("lobby-chat", chat.channel());
        assertEquals(Message.CHAT, chat.event());
        assertEquals("hello agents", chat.text());
        assertEquals("Ada", chat.author().name());

        // bad inputs, each dropped with the connection kept: not JSON, no type/event, a duplicate
        peer.pushRaw("definitely not JSON");
        peer.pushRaw("{\"id\":\"x\",\"data\":{}}");
        peer.push("chat.message", "m1", Map.of("chat_id", "lobby-chat", "content", "hello agents"));
        peer.speak(TrackerPeer.Convention.EVENT).push("task.assigned", "e2", Map.of("task_id", "t7"));
        Message task = next(published);
        assertEquals("e2", task.id());
        assertEquals("every event that is no chat message is on events", "events", task.channel());
        assertEquals("task.assigned", task.event());
        assertEquals("and on the task it names", "task:t7", next(published).channel());
        peer.push("presence", null, Map.of("who", "bob"));
        assertEquals("events", next(published).channel());
        await("three acks", () -> peer.acks().size() == 3);
        assertEquals(List.of("m1", "m1", "e2"), peer.acks());

        // bad input: a frame over maxFrameBytes closes with 1009 and the agent comes back
        peer.push("task.updated", "big", Map.of("blob", "x".repeat(10_000)));
        await("re-authenticated after 1009", () -> peer.authentications() == 2
                && state("tracker-events") == EndpointStatus.State.ONLINE);
        peer.push("task.updated", "e3", Map.of("task_id", "t7"));
        Message onEvents = next(published);
        assertEquals("e3", onEvents.id());
        assertEquals("events", onEvents.channel());
        assertEquals("task:t7", next(published).channel());

        Map<String, Object> after = endpoint("tracker-events").metrics().details();
        assertEquals(1L, after.get("duplicatesDropped"));
        assertEquals(1L, after.get("reconnects"));
        assertTrue(endpoint("tracker-events").metrics().errors() >= 2);
    }

    /** The Felix Web Console names each factory configuration by this attribute's default, {id} filled in. */
    @Test
    public void theMetatypeGivesTheWebConsoleTheEndpointIdAsEachConfigurationsName() {
        ObjectClassDefinition tracker = metatype.getMetaTypeInformation(installed("dev.switchboard.tracker"))
                .getObjectClassDefinition("dev.switchboard.tracker", null);
        AttributeDefinition hint = Arrays.stream(tracker.getAttributeDefinitions(ObjectClassDefinition.ALL))
                .filter(ad -> ad.getID().equals("webconsole.configurationFactory.nameHint")).findFirst().orElseThrow();
        assertEquals(List.of("Tracker endpoint {id}"), List.of(hint.getDefaultValue()));
        AttributeDefinition frameLimit = Arrays.stream(tracker.getAttributeDefinitions(ObjectClassDefinition.ALL))
                .filter(ad -> ad.getID().equals("maxFrameBytes")).findFirst().orElseThrow();
        assertFalse("0 is out of range", frameLimit.validate("0").isEmpty());
        assertEquals("", frameLimit.validate("1048576"));
    }

    @Test
    public void aRejectedTokenIsOfflineWithTheTrackersReasonAndNeverRetried() throws Exception {
        peer.underscoreSpelling(true);
        configure("dev.switchboard.tracker", "tracker-denied", "id", "tracker-denied", "trackerUrl", peer.trackerUrl(),
                "token", "stolen-token");
        await("offline with the tracker's reason", () -> {
            Endpoint endpoint = endpoint("tracker-denied");
            return endpoint != null && endpoint.status().state() == EndpointStatus.State.OFFLINE
                    && endpoint.status().reason().equals("authentication failed: Invalid token");
        });
        // never retried: no second connection within several times the first retry delay (1 s)
        assertFalse("no retry after a rejected token",
                Await.within(Duration.ofSeconds(4), () -> peer.connections() > 1));
        assertEquals(1, peer.rejections());
        assertFalse(endpoint("tracker-denied").metrics().toString().contains("stolen-token"));
    }

    /** Bad input: auth.ok without data, and the other field convention for everything the peer says. */
    @Test
    public void authOkWithoutDataIsAnEmptySession() throws Exception {
        peer.speak(TrackerPeer.Convention.EVENT).authOkWithoutData(true);
        online("tracker-bare");
        Map<String, Object> details = endpoint("tracker-bare").metrics().details();
        assertFalse(details.containsKey("lobbyChatId"));
        assertEquals(List.of(), details.get("projects"));
        assertEquals(List.of(), details.get("online"));
    }

    @Test
    public void theSinkWritesChatTaskCommentsAndStreamsAndTaskProgressMakesTheHeartbeatBusy() throws Exception {
        online("tracker-sink", "heartbeatIntervalSeconds", 1);
        MessageSink sink = sink("tracker-sink");
        sent(sink.send(Message.builder("web", "lobby-chat").text("hi from web")
                .data(Map.of("mentions", List.of("ada"))).build()));
        sent(sink.send(Message.builder("web", "task:t7").text("done").data(Map.of("thinking", "easy")).build()));
        sent(sink.send(Message.builder("web", "task:t7").event("agent.stream.delta").data(Map.of("delta", "d")).build()));
        await("two chat.send frames and a stream event", () -> peer.chatSends().size() == 2
                && peer.received("agent.stream.delta").size() == 1);
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "hi from web", "mentions", List.of("ada"),
                "chat_id", "lobby-chat"), peer.chatSends().get(0));
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "done", "mentions", List.of(),
                "task_id", "t7", "thinking", "easy"), peer.chatSends().get(1));
        assertEquals(Map.of("type", "agent.stream.delta", "event", "agent.stream.delta", "delta", "d", "task_id", "t7"),
                peer.received("agent.stream.delta").get(0));

        await("the first heartbeat", () -> !peer.heartbeatStatuses().isEmpty());
        assertEquals("online", peer.heartbeatStatuses().get(0));
        sent(sink.send(Message.builder("web", "task:t7").event("agent.task.start").build()));
        await("a busy heartbeat", () -> peer.heartbeatStatuses().contains("busy"));
        sent(sink.send(Message.builder("web", "task:t7").event("agent.task.end").build()));
        await("online again", () -> {
            List<Object> statuses = peer.heartbeatStatuses();
            return statuses.get(statuses.size() - 1).equals("online") && statuses.lastIndexOf("busy") < statuses.size() - 1;
        });
        assertTrue("heartbeats were acked", (Long) endpoint("tracker-sink").metrics().details().get("heartbeatAcks") > 0);
    }

    /** Bad input: a listener that throws; the next event still arrives. Then the tracker drops the agent. */
    @Test
    public void aDroppedConnectionComesBackReauthenticatedWithoutDuplicateDelivery() throws Exception {
        BlockingQueue<Message> published = online("tracker-drop");
        MessageSource source = messageSource("tracker-drop");
        subscriptions.add(source.subscribe(message -> {
            throw new IllegalStateException("a listener bug");
        }));
        peer.push("project.updated", "e1", Map.of("project_id", "p1"));
        assertEquals("e1", next(published).id());
        await("e1 acked", () -> peer.acks().size() == 1);

        peer.dropAll();
        await("re-authenticated", () -> peer.authentications() == 2
                && state("tracker-drop") == EndpointStatus.State.ONLINE);
        await("the heartbeat restarted", () -> peer.heartbeatStatuses().size() == 2);
        peer.push("project.updated", "e1", Map.of("project_id", "p1"));
        peer.push("project.updated", "e2", Map.of("project_id", "p1"));
        assertEquals("e2", next(published).id());
        assertEquals(1L, endpoint("tracker-drop").metrics().reconnects());
        assertEquals(1L, endpoint("tracker-drop").metrics().details().get("duplicatesDropped"));
    }

    @Test
    public void aGatewayCarriesChatBetweenTheTrackersLobbyAndAChannelsTopic() throws Exception {
        online("tracker-gw");
        configure("dev.switchboard.channels", "web-tracker", "id", "web-tracker", "port", 0);
        await("channels online", () -> state("web-tracker") == EndpointStatus.State.ONLINE);
        String url = (String) endpoint("web-tracker").metrics().details().get("url");
        gateway("tracker-lobby", Members.inout("tracker-gw", "lobby-chat"), Members.inout("web-tracker", "chat:lobby"));
        awaitGatewayReady("tracker-lobby");

        Browser browser = joined(url, "chat:lobby");

        // browser -> tracker lobby
        browser.send("[\"chat:lobby\",\"message\",{\"text\":\"hello tracker\",\"author\":\"ada\"}]");
        browser.expect("[\"chat:lobby\",\"message\",{\"text\":\"hello tracker\",\"author\":\"ada\"}]");
        await("a chat.send reached the tracker", () -> !peer.chatSends().isEmpty());
        Map<String, Object> sent = peer.chatSends().get(0);
        assertEquals("lobby-chat", sent.get("chat_id"));
        assertTrue(String.valueOf(sent.get("content")), String.valueOf(sent.get("content")).endsWith("hello tracker"));
        assertTrue(String.valueOf(sent.get("content")), String.valueOf(sent.get("content")).contains("ada"));

        // tracker lobby -> browser
        peer.push("chat.message", "m-gw", Map.of("chat_id", "lobby-chat", "content", "hello browsers",
                "author", Map.of("id", "u2", "name", "Bob")));
        String frame = browser.next();
        assertTrue(frame, frame.startsWith("[\"chat:lobby\",\"message\",{") && frame.contains("hello browsers")
                && frame.contains("Bob"));
        // an event of another chat stays out of the lobby's gateway
        peer.push("chat.message", "m-other", Map.of("chat_id", "alpha-chat", "content", "not for the lobby"));
        peer.push("chat.message", "m-gw2", Map.of("chat_id", "lobby-chat", "content", "second"));
        String second = browser.next();
        assertTrue(second, second.contains("second"));

        // bad inputs for the lobby: a task event naming the lobby chat, chat messages whose content is no string
        peer.push("task.updated", "e-task", Map.of("chat_id", "lobby-chat", "status", "done", "internal_note", "secret"));
        peer.push("chat.message", "m-object", Map.of("chat_id", "lobby-chat", "content", Map.of("text", "sneaky")));
        peer.push("chat.message", "m-number", Map.of("chat_id", "lobby-chat", "content", 42));
        peer.push("chat.message", "m-gw3", Map.of("chat_id", "lobby-chat", "content", "third"));
        String third = browser.next();
        assertTrue("only chat reaches the chat: " + third, third.startsWith("[\"chat:lobby\",\"message\",{")
                && third.contains("third"));
        assertEquals(2L, endpoint("tracker-gw").metrics().details().get("malformedChatMessages"));
    }

    /** A gateway member naming the events channel gets the tracker's events; naming a chat gets none of them. */
    @Test
    public void trackerEventsReachOnlyAMemberThatNamesTheEventsChannel() throws Exception {
        online("tracker-ev");
        configure("dev.switchboard.channels", "web-ev", "id", "web-ev", "port", 0);
        await("channels online", () -> state("web-ev") == EndpointStatus.State.ONLINE);
        String url = (String) endpoint("web-ev").metrics().details().get("url");
        gateway("tracker-ev-lobby", Members.inout("tracker-ev", "lobby-chat"), Members.inout("web-ev", "chat:lobby"));
        gateway("tracker-ev-ops", Members.in("tracker-ev", "events"), Members.out("web-ev", "chat:ops"));
        awaitGatewayReady("tracker-ev-lobby");
        awaitGatewayReady("tracker-ev-ops");
        Browser lobby = joined(url, "chat:lobby");
        Browser ops = joined(url, "chat:ops");

        peer.push("task.updated", "e-1", Map.of("chat_id", "lobby-chat", "task_id", "t7", "status", "done"));
        String event = ops.next();
        assertTrue(event, event.startsWith("[\"chat:ops\",\"task.updated\",{") && event.contains("\"status\":\"done\""));
        peer.push("chat.message", "m-1", Map.of("chat_id", "lobby-chat", "content", "hello lobby"));
        String chat = lobby.next();
        assertTrue("the lobby's next frame is the chat message, not the task event: " + chat,
                chat.startsWith("[\"chat:lobby\",\"message\",{") && chat.contains("hello lobby"));
    }

    // --- helpers --------------------------------------------------------------------------------

    /** A browser subscribed to a chat topic of the channels endpoint at {@code url}, its empty history read. */
    private Browser joined(String url, String topic) throws Exception {
        Browser browser = new Browser(URI.create(url));
        browsers.add(browser);
        browser.send("[\"" + topic + "\",\"subscribe\",{}]");
        browser.expect("[\"" + topic + "\",\"subscribed\",{}]");
        browser.expect("[\"" + topic + "\",\"history\",{\"messages\":[]}]");
        return browser;
    }

    /** Configures a tracker endpoint against the peer, waits for ONLINE, and subscribes to what it publishes. */
    private BlockingQueue<Message> online(String id, Object... extra) throws Exception {
        List<Object> properties = new ArrayList<>(List.of("id", id, "trackerUrl", peer.trackerUrl(), "token", TOKEN,
                "displayName", "Agent " + id));
        properties.addAll(List.of(extra));
        configure("dev.switchboard.tracker", id, properties.toArray());
        await(id + " is online", () -> state(id) == EndpointStatus.State.ONLINE);
        BlockingQueue<Message> published = new LinkedBlockingQueue<>();
        subscriptions.add(messageSource(id).subscribe(published::add));
        return published;
    }

    private static Message next(BlockingQueue<Message> published) throws InterruptedException {
        Message message = published.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull("nothing was published", message);
        return message;
    }

    private static void sent(CompletionStage<Void> stage) throws Exception {
        stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private <T> T service(Class<T> type, String id) {
        try {
            for (ServiceReference<T> ref : context.getServiceReferences(type, "(" + Endpoint.ENDPOINT_PROPERTY + "=" + id + ")")) {
                return context.getService(ref);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return null;
    }

    private EndpointStatus.State state(String id) {
        Endpoint endpoint = endpoint(id);
        return endpoint == null ? null : endpoint.status().state();
    }

    private Endpoint endpoint(String id) {
        return service(Endpoint.class, id);
    }

    private MessageSource messageSource(String id) {
        MessageSource source = service(MessageSource.class, id);
        assertNotNull("no source " + id, source);
        return source;
    }

    private MessageSink sink(String id) {
        MessageSink sink = service(MessageSink.class, id);
        assertNotNull("no sink " + id, sink);
        return sink;
    }
}
