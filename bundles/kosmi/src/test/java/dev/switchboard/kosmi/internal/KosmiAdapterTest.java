package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.api.Author;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.transport.internal.TyrusTransport;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kosmi endpoint against a loopback Kosmi: protocol, Switchboard behaviour and every bad input of issue 6. */
class KosmiAdapterTest {

    /** Generous: only a failure ever waits this long. */
    private static final long TIMEOUT_SECONDS = 20;

    @TempDir
    Path data;

    private final BlockingQueue<Message> published = new LinkedBlockingQueue<>();
    private TyrusTransport transport;
    private KosmiDouble kosmi;
    private KosmiAdapter adapter;
    private Subscription subscription;

    @BeforeEach
    void start() throws Exception {
        transport = new TyrusTransport();
        kosmi = new KosmiDouble(transport).start();
    }

    @AfterEach
    void stop() {
        if (subscription != null) {
            subscription.close();
        }
        if (adapter != null) {
            adapter.stop();
        }
        kosmi.close();
        transport.close();
    }

    private KosmiClient.Settings settings(String... rooms) {
        return KosmiClient.Settings.loopback("kosmi-test", kosmi.graphqlUrl(), kosmi.webSocketUrl(), List.of(rooms));
    }

    private KosmiAdapter started(KosmiClient.Settings settings) {
        adapter = new KosmiAdapter(transport, data);
        subscription = adapter.subscribe(published::add);
        adapter.start(settings);
        return adapter;
    }

    private KosmiAdapter online(String... rooms) throws InterruptedException {
        started(settings(rooms));
        awaitOnline();
        return adapter;
    }

    private void awaitOnline() throws InterruptedException {
        await("the endpoint is online", () -> adapter.status().state() == EndpointStatus.State.ONLINE);
    }

    private void awaitStatus(String fragment) throws InterruptedException {
        await("the status says " + fragment, () -> adapter.status().reason().contains(fragment));
    }

    private Message nextPublished() throws InterruptedException {
        Message message = published.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(message, "nothing was published");
        return message;
    }

    /** Injects until one subscription receives it: the double may still be finishing a re-join. */
    private void injectWhenJoined(String room, String username, String body) throws InterruptedException {
        await("the double delivers to " + room, () -> kosmi.listeners(room) > 0);
        assertEquals(1, kosmi.inject(room, username, username.toUpperCase(), body));
    }

    private void send(String room, String text) throws Exception {
        adapter.send(Message.builder("channels.local", room).author("ada", "Ada").text(text).build())
                .toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private DeliveryException sendFails(String room, String text) {
        CompletionException failure = assertThrows(CompletionException.class, () -> adapter.send(
                Message.builder("channels.local", room).text(text).build()).toCompletableFuture().join());
        return assertInstanceOf(DeliveryException.class, failure.getCause());
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

    // --- the protocol -------------------------------------------------------------------------

    @Test
    void logsInInitsSubscribesAndJoinsEveryRoom() throws Exception {
        online("@lobby", "@den");
        assertEquals(1, kosmi.logins());
        KosmiDouble.Init init = kosmi.inits().get(0);
        String userAgent = init.userAgent();
        assertEquals("Mozilla/5.0 (X11; Linux x86_64) Switchboard", userAgent);
        assertEquals("https://app.kosmi.io", init.origin());
        assertEquals(Base64.getEncoder().encodeToString(userAgent.getBytes(StandardCharsets.UTF_8)),
                init.payload().get("ua"));
        assertEquals("4364", init.payload().get("v"));
        assertEquals("", init.payload().get("r"));
        assertEquals(List.of("OnNewMessage", "JoinRoom", "OnNewMessage", "JoinRoom"), kosmi.operationNames());
        assertEquals("@lobby", kosmi.operations().get(0).variables().get("roomId"));
        assertEquals("@lobby", kosmi.operations().get(1).variables().get("id"));
        assertEquals("joined @lobby, @den", adapter.status().reason());
        assertEquals("kosmi", adapter.protocol());
        assertEquals("kosmi-test", adapter.id());
    }

    @Test
    void aRoomMessageIsPublishedWithItsAuthorAndTime() throws Exception {
        online("@lobby");
        Instant before = Instant.now().minusSeconds(2);
        injectWhenJoined("@lobby", "kim", "hello bridge");
        Message message = nextPublished();
        assertEquals("kosmi-test", message.endpoint());
        assertEquals("@lobby", message.channel());
        assertEquals(new Author("kim", "KIM"), message.author());
        assertEquals("hello bridge", message.text());
        assertTrue(message.isChat());
        assertTrue(!message.time().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)), message.time().toString());
        assertEquals(Map.of("username", "kim", "displayName", "KIM"), ((Map<?, ?>) message.data()).get("user"));
        assertEquals(1, adapter.metrics().messagesIn());
    }

    @Test
    void aRoutedMessageIsSentAndItsEchoIsNotPublished() throws Exception {
        online("@lobby");
        send("@lobby", "[channels] <ada> hi kosmi");
        KosmiDouble.Sent sent = kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS));
        assertEquals(new KosmiDouble.Sent("@lobby", "[channels] <ada> hi kosmi", sent.username()), sent);
        // the echo came before the ok; a later message from someone else is the first thing published
        injectWhenJoined("@lobby", "kim", "after the echo");
        assertEquals("after the echo", nextPublished().text());
        assertEquals(1, adapter.metrics().messagesOut());
        // someone else saying the same words is not an echo
        kosmi.inject("@lobby", "bob", "Bob", "[channels] <ada> hi kosmi");
        assertEquals("bob", nextPublished().author().id());
    }

    @Test
    void allThreeRoomSpellingsJoinTheRoomWithItsAt() throws Exception {
        KosmiConfig config = config(Map.of("id", "spellings", "rooms", new String[] {"lobby",
                "@hall, https://app.kosmi.io/room/@den"}, "graphqlUrl", kosmi.graphqlUrl(), "webSocketUrl",
                kosmi.webSocketUrl()));
        KosmiClient.Settings settings = KosmiAdapter.settings(config);
        assertEquals(List.of("@lobby", "@hall", "@den"), settings.rooms());
        started(settings);
        awaitOnline();
        assertEquals("joined @lobby, @hall, @den", adapter.status().reason());
        // a channel may be spelled either way too
        send("den", "short");
        assertEquals("@den", kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS)).room());
    }

    @Test
    void theDefaultsAreTheSeeds() {
        KosmiClient.Settings defaults = KosmiAdapter.settings(config(Map.of("rooms", new String[] {"@x"})));
        assertEquals("https://engine.kosmi.io/", defaults.graphqlUri().toString());
        assertEquals("wss://engine.kosmi.io/gql-ws", defaults.webSocketUri().toString());
        assertEquals("4364", defaults.appVersion());
        assertEquals("kosmi", defaults.id());
        assertEquals(Duration.ofSeconds(1), defaults.backoff().initial());
        assertEquals(Duration.ofSeconds(30), defaults.backoff().max());
    }

    /** Bad inputs: no rooms, a room that is no room, an http WebSocket URL, a ws GraphQL URL. */
    @Test
    void aConfigurationThatCannotWorkIsOfflineWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> KosmiAdapter.settings(config(Map.of())));
        assertThrows(IllegalArgumentException.class,
                () -> KosmiAdapter.settings(config(Map.of("rooms", new String[] {"https://app.kosmi.io/room/"}))));
        assertThrows(IllegalArgumentException.class, () -> KosmiAdapter.settings(
                config(Map.of("rooms", new String[] {"@x"}, "webSocketUrl", "http://127.0.0.1/gql-ws"))));
        assertThrows(IllegalArgumentException.class, () -> KosmiAdapter.settings(
                config(Map.of("rooms", new String[] {"@x"}, "graphqlUrl", "ws://127.0.0.1/"))));
    }

    @Test
    void aConfiguredDisplayNameIsSetAfterTheAck() throws Exception {
        started(settings("@lobby").withDisplayName("Switchboard"));
        awaitOnline();
        KosmiDouble.Operation rename = kosmi.operations().get(0);
        assertEquals("SetDisplayName", rename.name());
        assertEquals("Switchboard", rename.variables().get("displayName"));
    }

    @Test
    void keepalivePingsAreAnsweredBothWays() throws Exception {
        started(settings("@lobby").withKeepalive(Duration.ofMillis(50)));
        awaitOnline();
        await("the bridge pings", () -> kosmi.pings() >= 3);
        kosmi.ping();
        await("the bridge answers the double's ping", () -> kosmi.pongs() == 1);
        assertEquals(1, kosmi.inits().size(), "answered pings keep the connection");
    }

    // --- sending ------------------------------------------------------------------------------

    @Test
    void aSendFailsWithTheGraphqlErrorAndTheNextOneWorks() throws Exception {
        online("@lobby");
        kosmi.failNext("SendMessage", "You are sending messages too fast");
        DeliveryException refused = sendFails("@lobby", "one");
        assertTrue(refused.getMessage().contains("You are sending messages too fast"), refused.getMessage());
        send("@lobby", "two");
        assertEquals("two", kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS)).body());
        assertEquals(EndpointStatus.State.ONLINE, adapter.status().state());
    }

    /** Bad inputs: a room this endpoint did not join, an event without text, a channel that is no room. */
    @Test
    void whatCannotBeSentFailsWithoutReachingKosmi() throws Exception {
        online("@lobby");
        assertTrue(sendFails("@elsewhere", "x").getMessage().contains("room @elsewhere is not one of [@lobby]"));
        CompletionException noText = assertThrows(CompletionException.class, () -> adapter.send(
                Message.builder("tracker", "@lobby").event("task:done").data(Map.of("task", 1)).build())
                .toCompletableFuture().join());
        assertTrue(noText.getCause().getMessage().contains("chat text only"));
        assertTrue(sendFails("a room/with slash", "x").getMessage().contains("not a Kosmi room"));
        assertNull(kosmi.nextSent(Duration.ofMillis(100)));
        assertEquals(List.of("OnNewMessage", "JoinRoom"), kosmi.operationNames());
    }

    @Test
    void sendingWhileOfflineFailsAtOnce() throws Exception {
        kosmi.withholdAck(true);
        started(settings("@lobby"));
        assertTrue(sendFails("@lobby", "too early").getMessage().contains("offline"));
    }

    // --- failures and recovery ----------------------------------------------------------------

    @Test
    void afterADropItReInitsResubscribesRejoinsAndReceivesOnce() throws Exception {
        online("@lobby");
        kosmi.drop();
        await("a second connection_init", () -> kosmi.inits().size() == 2);
        awaitOnline();
        assertEquals(List.of("OnNewMessage", "JoinRoom", "OnNewMessage", "JoinRoom"), kosmi.operationNames());
        assertEquals(1, kosmi.logins(), "the token is reused on reconnect");
        assertEquals(kosmi.inits().get(0).payload().get("token"), kosmi.inits().get(1).payload().get("token"));
        injectWhenJoined("@lobby", "kim", "once");
        injectWhenJoined("@lobby", "kim", "marker");
        assertEquals("once", nextPublished().text());
        assertEquals("marker", nextPublished().text());
        assertTrue(published.isEmpty(), "nothing is received twice");
        assertEquals(1, adapter.metrics().reconnects());
    }

    @Test
    void theTokenIsStoredOwnerOnlyAndReusedAfterARestart() throws Exception {
        online("@lobby");
        Path file = data.resolve("token-kosmi-test");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String token = Files.readString(file);
        assertEquals(token, kosmi.inits().get(0).payload().get("token"));

        adapter.stop();
        assertEquals(EndpointStatus.State.OFFLINE, adapter.status().state());
        adapter.start(settings("@lobby"));
        awaitOnline();
        assertEquals(1, kosmi.logins(), "no second login");
        assertEquals(token, kosmi.inits().get(1).payload().get("token"));
    }

    /** Bad input: a stored token Kosmi no longer accepts (4403): logged in again, the new token replaces it. */
    @Test
    void aRejectedTokenIsReplacedByANewLogin() throws Exception {
        Files.writeString(data.resolve("token-kosmi-test"), "expired.jwt.token");
        started(settings("@lobby"));
        awaitOnline();
        assertEquals("expired.jwt.token", kosmi.inits().get(0).payload().get("token"));
        assertEquals(1, kosmi.logins());
        String replaced = Files.readString(data.resolve("token-kosmi-test"));
        assertNotEquals("expired.jwt.token", replaced);
        assertEquals(replaced, kosmi.inits().get(1).payload().get("token"));
    }

    @Test
    void revokedTokensMidSessionLogInAgain() throws Exception {
        online("@lobby");
        kosmi.revokeTokens();
        kosmi.closeAll(4401, "Unauthorized");
        await("a second login", () -> kosmi.logins() == 2);
        awaitOnline();
        injectWhenJoined("@lobby", "kim", "still here");
        assertEquals("still here", nextPublished().text());
    }

    /** Bad input: the login endpoint answers 503, then HTML, then JSON without a token. */
    @Test
    void aLoginThatFailsIsConnectingWithTheReasonAndRetried() throws Exception {
        kosmi.login(KosmiDouble.Login.DOWN);
        started(settings("@lobby"));
        awaitStatus("login failed: HTTP 503");
        assertEquals(EndpointStatus.State.CONNECTING, adapter.status().state());
        kosmi.login(KosmiDouble.Login.GARBAGE);
        awaitStatus("login failed: unreadable answer");
        kosmi.login(KosmiDouble.Login.NO_TOKEN);
        awaitStatus("login failed: unreadable answer (no token in the anonLogin answer)");
        kosmi.login(KosmiDouble.Login.OK);
        awaitOnline();
        assertTrue(adapter.metrics().errors() >= 3);
    }

    /** Bad input: nothing listens where the login should be. */
    @Test
    void anUnreachableLoginEndpointIsOfflineAndActivationDoesNotWait() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = socket.getLocalPort();
        }
        started(KosmiClient.Settings.loopback("kosmi-test", "http://127.0.0.1:" + closedPort + "/",
                kosmi.webSocketUrl(), List.of("@lobby")));
        assertNotEquals(EndpointStatus.State.ONLINE, adapter.status().state());
        awaitStatus("login failed");
        assertEquals(EndpointStatus.State.CONNECTING, adapter.status().state());
    }

    /** Bad input: the service never sends connection_ack. */
    @Test
    void aMissingAckTimesOutAndIsRetried() throws Exception {
        kosmi.withholdAck(true);
        started(settings("@lobby").withAckTimeout(Duration.ofMillis(200)));
        awaitStatus("ack timeout");
        assertEquals(EndpointStatus.State.CONNECTING, adapter.status().state());
        await("a retried connection_init", () -> kosmi.inits().size() >= 2);
        kosmi.withholdAck(false);
        awaitOnline();
    }

    /** Bad inputs: next payloads with a number for body, no user, no data, GraphQL errors; the subscription survives. */
    @Test
    void malformedNextPayloadsAreSkippedAndTheConnectionStays() throws Exception {
        online("@lobby");
        await("subscribed", () -> kosmi.listeners("@lobby") > 0);
        kosmi.injectRaw("@lobby", "{\"data\":{\"newMessage\":{\"body\":42,\"user\":{\"username\":\"kim\"}}}}");
        kosmi.injectRaw("@lobby", "{\"data\":{\"newMessage\":{\"body\":\"no user\"}}}");
        kosmi.injectRaw("@lobby", "{\"data\":null}");
        kosmi.injectRaw("@lobby", "{\"errors\":[{\"message\":\"resolver failed\"}]}");
        injectWhenJoined("@lobby", "kim", "well formed");
        assertEquals("well formed", nextPublished().text());
        assertTrue(published.isEmpty());
        assertEquals(4, adapter.metrics().errors());
        assertEquals(1, kosmi.inits().size(), "still the first connection");
    }

    /** Bad inputs: a frame that is not JSON, and a message type the protocol does not have: closed with 4400. */
    @ParameterizedTest
    @ValueSource(strings = {"<html>oops</html>", "{\"type\":\"data\",\"id\":\"1\"}"})
    void anInvalidMessageClosesWith4400AndReconnects(String frame) throws Exception {
        online("@lobby");
        kosmi.broadcastFrame(frame);
        await("a second connection_init", () -> kosmi.inits().size() == 2);
        awaitOnline();
        injectWhenJoined("@lobby", "kim", "back");
        assertEquals("back", nextPublished().text());
    }

    /** Bad input: an error for one room's JoinRoom; the other room keeps working. */
    @Test
    void anErrorForOneOperationLeavesTheOthersWorking() throws Exception {
        kosmi.failNext("JoinRoom", "Room is full");
        started(settings("@full", "@open"));
        awaitOnline();
        assertEquals("joined @open; @full join refused: Room is full", adapter.status().reason());
        injectWhenJoined("@open", "kim", "open room");
        assertEquals("open room", nextPublished().text());
        assertTrue(sendFails("@full", "x").getMessage().contains("room @full is not joined: join refused: Room is full"));
    }

    @Test
    void anErrorForTheOnlyRoomIsOfflineWithTheReason() throws Exception {
        kosmi.failNext("OnNewMessage", "Room not found");
        started(settings("@gone"));
        awaitStatus("no room joined; @gone subscription refused: Room not found");
        assertEquals(EndpointStatus.State.OFFLINE, adapter.status().state());
    }

    /** Bad input: close 4429: the endpoint waits the longest backoff, then reconnects. */
    @Test
    void close4429BacksOffThenReconnects() throws Exception {
        online("@lobby");
        kosmi.closeAll(4429, "Too many initialisation requests");
        awaitStatus("closed with code 4429 (too many initialisation requests); backing off");
        assertEquals(EndpointStatus.State.CONNECTING, adapter.status().state());
        await("a second connection_init", () -> kosmi.inits().size() == 2);
        awaitOnline();
        assertEquals(1, kosmi.logins());
    }

    /** Bad inputs: the other close codes of graphql-transport-ws: each is a reconnect with the same token. */
    @ParameterizedTest
    @ValueSource(ints = {4400, 4406, 4408, 4409, 4500})
    void otherCloseCodesReconnect(int code) throws Exception {
        online("@lobby");
        kosmi.closeAll(code, "test");
        awaitStatus("closed with code " + code);
        await("a second connection_init", () -> kosmi.inits().size() == 2);
        awaitOnline();
        assertEquals(1, kosmi.logins());
    }

    @Test
    void stoppingFailsPendingWorkAndEndsEveryThread() throws Exception {
        online("@lobby");
        adapter.stop();
        assertEquals(EndpointStatus.State.OFFLINE, adapter.status().state());
        assertTrue(sendFails("@lobby", "late").getMessage().contains("offline"));
        await("no kosmi thread is left", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("switchboard-kosmi-")));
        await("the double saw the close", () -> kosmi.connections() == 0);
    }

    private static KosmiConfig config(Map<String, Object> values) {
        return (KosmiConfig) Proxy.newProxyInstance(KosmiConfig.class.getClassLoader(), new Class<?>[] {KosmiConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
    }
}
