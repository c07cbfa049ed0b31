package dev.switchboard.channels.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channels.ChannelContext;
import dev.switchboard.channels.ChannelHandler;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.internal.TyrusTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every line of the topic-channel protocol against a real server and real JDK WebSocket clients on loopback. */
class ChannelsServerTest {

    private static final String SUBSCRIBE_LOBBY = "[\"chat:lobby\",\"subscribe\",{\"id\":\"s1\"}]";
    private static final String INVALID_JSON =
            "[\"error\",\"error\",{\"code\":\"INVALID_PAYLOAD\",\"message\":\"Invalid JSON\"}]";
    private static final String WRONG_SHAPE =
            "[\"error\",\"error\",{\"code\":\"INVALID_PAYLOAD\",\"message\":\"Message must be [topic, event, payload]\"}]";

    record Event(String connection, String topic, String event, JsonNode payload) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<TestClient> clients = new ArrayList<>();
    private TyrusTransport transport;
    private ChannelsServer server;

    @BeforeEach
    void startServer() throws Exception {
        transport = new TyrusTransport();
        server = start(ChannelsSettings.defaults("test"));
    }

    @AfterEach
    void stopServer() {
        clients.forEach(TestClient::close);
        server.stop();
        transport.close();
    }

    private ChannelsServer start(ChannelsSettings settings) throws Exception {
        ChannelsServer started = new ChannelsServer(transport, settings,
                (c, t, e, p) -> events.add(new Event(c, t, e, p)));
        started.start();
        return started;
    }

    private void restart(ChannelsSettings settings) throws Exception {
        server.stop();
        server = start(settings);
    }

    private TestClient client() throws Exception {
        TestClient client = TestClient.connect(server.url());
        clients.add(client);
        return client;
    }

    private TestClient joined(String topic) throws Exception {
        TestClient client = client();
        client.send("[\"" + topic + "\",\"subscribe\",{}]");
        client.expect("[\"" + topic + "\",\"subscribed\",{}]");
        return client;
    }

    private TestClient joinedChat(String topic) throws Exception {
        TestClient client = joined(topic);
        client.expect("[\"" + topic + "\",\"history\",{\"messages\":[]}]");
        return client;
    }

    @Test
    void subscribeRepliesSubscribedWithTheIdThenTheChatHistory() throws Exception {
        TestClient client = client();
        client.send(SUBSCRIBE_LOBBY);
        client.expect("[\"chat:lobby\",\"subscribed\",{\"id\":\"s1\"}]");
        client.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        await("the subscriber is counted", () -> server.subscriberCount("chat:lobby") == 1);
    }

    @Test
    void subscribeWithoutAStringIdRepliesAnEmptyObject() throws Exception {
        TestClient client = client();
        // bad inputs: no payload object, id of the wrong type, array and null payloads
        for (String payload : List.of("{}", "{\"id\":5}", "[\"s1\"]", "null", "\"s1\"")) {
            client.send("[\"chat:a\",\"subscribe\"," + payload + "]");
            client.expect("[\"chat:a\",\"subscribed\",{}]");
            client.expect("[\"chat:a\",\"history\",{\"messages\":[]}]");
        }
        assertEquals(1, server.subscriberCount("chat:a"), "subscribing again does not subscribe twice");
    }

    @Test
    void subscribingToATopicNoPatternMatchesIsAnInternalError() throws Exception {
        TestClient client = client();
        // bad inputs: no pattern at all, too many segments, too few segments
        for (String topic : List.of("nothing:here", "chat:a:b", "chat")) {
            client.send("[\"" + topic + "\",\"subscribe\",{}]");
            client.expect("[\"" + topic + "\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: "
                    + topic + "\"}]");
        }
        assertTrue(server.details().get("subscribers") instanceof Map<?, ?> m && m.isEmpty());
    }

    @Test
    void unsubscribeAlwaysRepliesUnsubscribedAndStopsBroadcasts() throws Exception {
        TestClient leaver = joinedChat("chat:room");
        TestClient stayer = joinedChat("chat:room");
        leaver.send("[\"chat:room\",\"unsubscribe\",null]");
        leaver.expect("[\"chat:room\",\"unsubscribed\",{}]");
        // not subscribed, and a topic no channel serves: the seed replies all the same
        leaver.send("[\"chat:other\",\"unsubscribe\",{}]");
        leaver.expect("[\"chat:other\",\"unsubscribed\",{}]");
        leaver.send("[\"unknown\",\"unsubscribe\",{}]");
        leaver.expect("[\"unknown\",\"unsubscribed\",{}]");
        await("one subscriber left", () -> server.subscriberCount("chat:room") == 1);

        stayer.send("[\"chat:room\",\"message\",{\"text\":\"hi\"}]");
        stayer.expect("[\"chat:room\",\"message\",{\"text\":\"hi\"}]");
        leaver.expectNothingBeforeProbe();
    }

    @Test
    void chatMessagesReachEverySubscriberSenderIncludedAndNobodyElse() throws Exception {
        TestClient sender = joinedChat("chat:lobby");
        TestClient other = joinedChat("chat:lobby");
        TestClient elsewhere = joinedChat("chat:elsewhere");
        TestClient idle = client();

        String frame = "[\"chat:lobby\",\"message\",{\"text\":\"hello\",\"author\":\"ada\",\"n\":[1,2.5,true,null]}]";
        sender.send(frame);
        sender.expect(frame);
        other.expect(frame);
        elsewhere.expectNothingBeforeProbe();
        idle.expectNothingBeforeProbe();

        Event event = events.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals("chat:lobby", event.topic());
        assertEquals("message", event.event());
        assertEquals("hello", event.payload().get("text").asText());
        assertTrue(event.connection().startsWith("conn_"), event.connection());
    }

    @Test
    void aJoiningClientGetsTheLastMessagesOldestFirst() throws Exception {
        restart(ChannelsSettings.defaults("test").withHistorySize(3));
        TestClient talker = joinedChat("chat:h");
        for (int i = 1; i <= 5; i++) {
            talker.send("[\"chat:h\",\"message\",{\"text\":\"m" + i + "\"}]");
            talker.expect("[\"chat:h\",\"message\",{\"text\":\"m" + i + "\"}]");
        }
        talker.close();
        await("the talker is gone", () -> server.connectionCount() == 0);

        TestClient late = client();
        late.send("[\"chat:h\",\"subscribe\",{\"id\":\"again\"}]");
        late.expect("[\"chat:h\",\"subscribed\",{\"id\":\"again\"}]");
        late.expect("[\"chat:h\",\"history\",{\"messages\":[{\"text\":\"m3\"},{\"text\":\"m4\"},{\"text\":\"m5\"}]}]");
        assertEquals(0L, server.details().get("historyTrimmedForSnapshotSize"), "what the count drops is not trimmed for size");
    }

    /**
     * Bad input for a joining client: 50 remembered messages of 100 KB, 5 MB together. Its snapshot
     * is one frame of at most the frame size (1 MiB): the newest messages that fit, oldest first, so
     * that a client with a 1 MiB limit of its own is not disconnected by it.
     */
    @Test
    void aHistorySnapshotFitsInOneFrameOfTheFrameSize() throws Exception {
        String pad = "x".repeat(100_000);
        for (int n = 0; n < 50; n++) {
            Map<String, Object> payload = new TreeMap<>(Map.of("n", n, "pad", pad));
            assertEquals(0, server.deliver("chat:big", "message", payload), "nobody listens yet");
        }
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        ClientSpec spec = ClientSpec.builder("one-mib", URI.create(server.url())).maxMessageSize(1 << 20).build();
        try (WebSocketClient client = transport.connect(spec, new ClientHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                frames.add(text);
            }

            @Override
            public void onClose(WebSocketConnection connection, int code, String reason) {
                closed.complete(code);
            }
        })) {
            await("connected", () -> client.state() == WebSocketClient.State.OPEN);
            client.sendText("[\"chat:big\",\"subscribe\",{}]");
            assertEquals("[\"chat:big\",\"subscribed\",{}]", frames.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            String history = frames.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(history != null && history.getBytes(StandardCharsets.UTF_8).length <= 1 << 20, "no snapshot under 1 MiB");
            JsonNode messages = new ObjectMapper().readTree(history).get(2).get("messages");
            List<Integer> kept = new ArrayList<>();
            messages.forEach(message -> kept.add(message.get("n").asInt()));
            assertEquals(List.of(40, 41, 42, 43, 44, 45, 46, 47, 48, 49), kept, "the newest ten that fit, oldest first");
            assertEquals(40L, server.details().get("historyTrimmedForSnapshotSize"));

            server.deliver("chat:big", "message", Map.of("n", 50));
            assertEquals("[\"chat:big\",\"message\",{\"n\":50}]", frames.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertFalse(closed.isDone(), "still connected");
        }
    }

    @Test
    void binaryFramesAreReadAsText() throws Exception {
        TestClient client = client();
        client.sendBinary("[\"chat:bin\",\"subscribe\",{\"id\":\"b\"}]");
        client.expect("[\"chat:bin\",\"subscribed\",{\"id\":\"b\"}]");
        client.expect("[\"chat:bin\",\"history\",{\"messages\":[]}]");
        // bad input: binary garbage
        client.sendBinary("\u0001\u0002");
        client.expect(INVALID_JSON);
    }

    @Test
    void permessageDeflateIsAgreedWhenEnabledAndOffered() throws Exception {
        restart(ChannelsSettings.defaults("test").withCompression(true));
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        CompletableFuture<WebSocketConnection> opened = new CompletableFuture<>();
        ClientSpec spec = ClientSpec.builder("deflate", URI.create(server.url())).compression(true).build();
        try (WebSocketClient client = transport.connect(spec, new ClientHandler() {
            @Override
            public void onOpen(WebSocketConnection connection) {
                opened.complete(connection);
            }

            @Override
            public void onText(WebSocketConnection connection, String text) {
                frames.add(text);
            }
        })) {
            WebSocketConnection connection = opened.get(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String extensions = connection.handshakeHeaders().entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase("Sec-WebSocket-Extensions"))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse("");
            assertTrue(extensions.contains("permessage-deflate"), extensions);
            String text = "x".repeat(4096);
            client.sendText("[\"chat:z\",\"subscribe\",{}]");
            client.sendText("[\"chat:z\",\"message\",\"" + text + "\"]");
            assertEquals("[\"chat:z\",\"subscribed\",{}]", frames.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals("[\"chat:z\",\"history\",{\"messages\":[]}]", frames.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals("[\"chat:z\",\"message\",\"" + text + "\"]", frames.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void invalidJsonIsAnsweredAndTheConnectionStaysOpen() throws Exception {
        TestClient client = client();
        // bad inputs: plain text, truncated array, truncated object, trailing garbage, empty frame, single quotes
        for (String bad : List.of("hello", "[\"a\",\"b\"", "{", "[1] x", "", "['a','b',1]")) {
            client.send(bad);
            client.expect(INVALID_JSON);
        }
        client.expectNothingBeforeProbe();
    }

    @Test
    void framesThatAreNotTopicEventPayloadAreAnswered() throws Exception {
        TestClient client = client();
        // bad inputs, wrong arity: empty, one, two and four elements; not an array at all
        List<String> wrongArity = List.of("[]", "[\"chat:a\"]", "[\"chat:a\",\"subscribe\"]",
                "[\"chat:a\",\"subscribe\",{},1]", "{}", "{\"topic\":\"chat:a\"}", "\"chat:a\"", "42", "null", "true");
        // bad inputs, wrong element types: numbers, null, objects and arrays as topic or event
        List<String> wrongTypes = List.of("[1,\"subscribe\",{}]", "[\"chat:a\",2,{}]", "[null,\"subscribe\",{}]",
                "[\"chat:a\",null,{}]", "[{},\"subscribe\",{}]", "[\"chat:a\",[\"subscribe\"],{}]");
        for (String bad : wrongArity) {
            client.send(bad);
            client.expect(WRONG_SHAPE);
        }
        for (String bad : wrongTypes) {
            client.send(bad);
            client.expect(WRONG_SHAPE);
        }
        client.expectNothingBeforeProbe();
        assertEquals(0, server.subscriberCount("chat:a"));
        assertTrue(server.errors() >= wrongArity.size() + wrongTypes.size());
    }

    @Test
    void anEventOnATopicNoPatternMatchesIsAnInternalError() throws Exception {
        TestClient client = client();
        client.send("[\"nope:1\",\"message\",{\"text\":\"x\"}]");
        client.expect("[\"nope:1\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: nope:1\"}]");
        assertTrue(events.isEmpty());
    }

    @Test
    void anUnknownEventOnAKnownTopicGetsNoReplyAndIsNotPublished() throws Exception {
        TestClient client = joinedChat("chat:lobby");
        TestClient other = joinedChat("chat:lobby");
        // bad input: an event the chat channel does not know
        client.send("[\"chat:lobby\",\"dance\",{}]");
        client.expectNothingBeforeProbe();
        other.expectNothingBeforeProbe();
        assertTrue(events.isEmpty());
        assertEquals(1L, server.details().get("unhandledEvents"));
    }

    @Test
    void anOversizeFrameClosesThatClientWith1009Only() throws Exception {
        restart(ChannelsSettings.defaults("test").withMaxFrameBytes(1024));
        TestClient big = joinedChat("chat:lobby");
        TestClient bystander = joinedChat("chat:lobby");
        // bad input: a frame over maxFrameBytes
        big.send("[\"chat:lobby\",\"message\",{\"text\":\"" + "x".repeat(2048) + "\"}]");
        assertEquals(1009, big.awaitClose().code());

        bystander.send("[\"chat:lobby\",\"message\",{\"text\":\"still here\"}]");
        bystander.expect("[\"chat:lobby\",\"message\",{\"text\":\"still here\"}]");
        assertFalse(bystander.isClosed());
        assertTrue(events.stream().noneMatch(e -> e.payload().path("text").asText().startsWith("xxx")));
    }

    @Test
    void connectionsBeyondTheLimitAreClosedWith1008() throws Exception {
        restart(ChannelsSettings.defaults("test").withMaxConnections(2));
        TestClient first = joinedChat("chat:lobby");
        TestClient second = joinedChat("chat:lobby");
        // bad input: one connection too many
        TestClient third = client();
        assertEquals(new TestClient.Closed(1008, "Server at maximum capacity"), third.awaitClose());

        first.send("[\"chat:lobby\",\"message\",{\"text\":\"ok\"}]");
        first.expect("[\"chat:lobby\",\"message\",{\"text\":\"ok\"}]");
        second.expect("[\"chat:lobby\",\"message\",{\"text\":\"ok\"}]");
        assertEquals(1L, server.details().get("rejectedConnections"));

        first.close();
        await("the first client is gone", () -> server.connectionCount() == 1);
        TestClient fourth = joined("chat:lobby");
        fourth.expect("[\"chat:lobby\",\"history\",{\"messages\":[{\"text\":\"ok\"}]}]");
        fourth.expectNothingBeforeProbe();
        assertFalse(second.isClosed());
    }

    @Test
    void stoppingClosesEveryClientWith1000AndReleasesThePort() throws Exception {
        TestClient a = joinedChat("chat:lobby");
        TestClient b = client();
        int port = server.port();
        server.stop();
        TestClient.Closed shuttingDown = new TestClient.Closed(1000, "Server shutting down");
        assertEquals(shuttingDown, a.awaitClose());
        assertEquals(shuttingDown, b.awaitClose());
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port));
        }
    }

    @Test
    void aSlowConsumerIsClosedWith1013AndNobodyElseWaits() throws Exception {
        restart(ChannelsSettings.defaults("test").withSendQueueLimit(8));
        TestClient fast = joinedChat("chat:flood");
        TestClient slow = TestClient.stalled(server.url());
        clients.add(slow);
        slow.send("[\"chat:flood\",\"subscribe\",{}]");
        await("both subscribed", () -> server.subscriberCount("chat:flood") == 2);

        // bad input: a client that stops reading while 64 KiB frames are broadcast to it; the
        // broadcasts keep pace with the fast client, so only the stalled one falls behind
        String pad = "x".repeat(64 * 1024);
        int count = 400;
        for (int i = 0; i < count; i++) {
            server.broadcast("chat:flood", "message", new TreeMap<>(Map.of("pad", pad, "seq", i)));
            assertEquals("[\"chat:flood\",\"message\",{\"pad\":\"" + pad + "\",\"seq\":" + i + "}]", fast.next(),
                    "frame " + i);
        }
        assertEquals(1L, server.details().get("slowConsumersClosed"));
        await("the slow client left the topic", () -> server.subscriberCount("chat:flood") == 1);
        slow.resume();
        assertEquals(1013, slow.awaitClose().code());
        fast.expectNothingBeforeProbe();
        assertFalse(fast.isClosed());
    }

    @Test
    void aHandlerThatThrowsIsAnsweredWithAnInternalErrorAndHarmsNoOne() throws Exception {
        server.addHandler(new ChannelHandler() {
            @Override
            public String pattern() {
                return "boom:<id>";
            }

            @Override
            public void onJoin(ChannelContext context) {
                throw new IllegalStateException("join failed");
            }

            @Override
            public boolean onEvent(ChannelContext context, String event, Object payload) {
                throw new IllegalStateException("event failed");
            }
        }, 0, 1);
        TestClient victim = client();
        TestClient bystander = joinedChat("chat:lobby");
        // bad inputs: a join and an event on a handler that throws
        victim.send("[\"boom:1\",\"subscribe\",{}]");
        victim.expect("[\"boom:1\",\"subscribed\",{}]");
        victim.expect("[\"boom:1\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"Channel handler failed on subscribe\"}]");
        victim.send("[\"boom:1\",\"go\",{}]");
        victim.expect("[\"boom:1\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"Channel handler failed on go\"}]");
        victim.expectNothingBeforeProbe();

        bystander.send("[\"chat:lobby\",\"message\",\"fine\"]");
        bystander.expect("[\"chat:lobby\",\"message\",\"fine\"]");
        // the listener hears of an event after its broadcast went out, so wait for it
        Event published = events.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals("chat:lobby", published.topic(), "only the chat message was published");
        assertTrue(events.isEmpty());
    }

    @Test
    void handlersComeAndGoWhileTheServerRuns() throws Exception {
        List<Map<String, String>> joins = new ArrayList<>();
        ChannelHandler reasoning = new ChannelHandler() {
            @Override
            public String pattern() {
                return "reasoning:<sessionId>";
            }

            @Override
            public void onJoin(ChannelContext context) {
                joins.add(context.params());
                context.send("session:snapshot", Map.of("sessionId", context.params().get("sessionId")));
            }

            @Override
            public boolean onEvent(ChannelContext context, String event, Object payload) {
                if (!"thought:add".equals(event)) {
                    return false;
                }
                context.broadcast("thought:added", Map.of("thought", ((Map<?, ?>) payload).get("thought")));
                return true;
            }
        };
        TestClient client = client();
        client.send("[\"reasoning:abc\",\"subscribe\",{}]");
        client.expect("[\"reasoning:abc\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: reasoning:abc\"}]");

        server.addHandler(reasoning, 0, 7);
        client.send("[\"reasoning:abc\",\"subscribe\",{\"id\":\"r\"}]");
        client.expect("[\"reasoning:abc\",\"subscribed\",{\"id\":\"r\"}]");
        client.expect("[\"reasoning:abc\",\"session:snapshot\",{\"sessionId\":\"abc\"}]");
        assertEquals(List.of(Map.of("sessionId", "abc")), joins);
        client.send("[\"reasoning:abc\",\"thought:add\",{\"thought\":{\"n\":1}}]");
        client.expect("[\"reasoning:abc\",\"thought:added\",{\"thought\":{\"n\":1}}]");
        Event event = events.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals("thought:add", event.event());

        server.removeHandler(reasoning);
        client.send("[\"reasoning:abc\",\"thought:add\",{\"thought\":{\"n\":2}}]");
        client.expect("[\"reasoning:abc\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: reasoning:abc\"}]");
        assertFalse(client.isClosed());
    }

    @Test
    void theFirstMatchingPatternServesATopic() throws Exception {
        server.addHandler(handler("room:<name>", "low"), 0, 1);
        server.addHandler(handler("room:<id>", "high"), 10, 2);
        server.addHandler(handler("chat:<room>", "shadowed"), 100, 3);
        TestClient client = client();
        client.send("[\"room:1\",\"subscribe\",{}]");
        client.expect("[\"room:1\",\"subscribed\",{}]");
        client.expect("[\"room:1\",\"who\",\"high\"]");
        client.send("[\"chat:1\",\"subscribe\",{}]");
        client.expect("[\"chat:1\",\"subscribed\",{}]");
        client.expect("[\"chat:1\",\"history\",{\"messages\":[]}]");
    }

    @Test
    void metricsCountConnectionsAndSubscribersPerTopicAndShowTheLimit() throws Exception {
        restart(ChannelsSettings.defaults("test").withMaxConnections(7));
        joinedChat("chat:a");
        joinedChat("chat:a");
        joinedChat("chat:b");
        client();
        await("four connections", () -> server.connectionCount() == 4);
        Map<String, Object> details = server.details();
        assertEquals(4, details.get("connections"));
        assertEquals(7, details.get("maxConnections"), "the configured limit, whatever it is");
        assertEquals(Map.of("chat:a", 2, "chat:b", 1), details.get("subscribers"));
        assertEquals(server.url(), details.get("url"));
    }

    private static ChannelHandler handler(String pattern, String name) {
        return new ChannelHandler() {
            @Override
            public String pattern() {
                return pattern;
            }

            @Override
            public void onJoin(ChannelContext context) {
                context.send("who", name);
            }

            @Override
            public boolean onEvent(ChannelContext context, String event, Object payload) {
                return false;
            }
        };
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
