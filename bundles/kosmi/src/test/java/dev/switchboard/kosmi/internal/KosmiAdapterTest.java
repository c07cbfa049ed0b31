package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.Author;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kosmi endpoint against a loopback Kosmi: the protocol, messages both ways, and what cannot be sent. */
class KosmiAdapterTest extends LoopbackKosmiTest {

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
        assertEquals(EndpointStatus.Detail.NONE, adapter.status().detail());
        assertEquals("kosmi", adapter.protocol());
        assertEquals("kosmi-test", adapter.id());
        assertEquals(List.of("@lobby", "@den"), adapter.metrics().details().get("joined"));
    }

    @Test
    void aConfiguredDisplayNameIsSetAfterTheAck() throws Exception {
        started(settings("@lobby").displayName("Switchboard").build());
        awaitOnline();
        KosmiDouble.Operation rename = kosmi.operations().get(0);
        assertEquals("SetDisplayName", rename.name());
        assertEquals("Switchboard", rename.variables().get("displayName"));
    }

    /** One keepalive: WebSocket pings from the transport; Kosmi's own graphql-transport-ws pings are answered. */
    @Test
    void theKeepaliveIsTheTransportsPingAndKosmisPingsAreAnswered() throws Exception {
        KosmiSettings settings = settings("@lobby").keepalive(Duration.ofMillis(50)).build();
        assertEquals(Duration.ofMillis(50), settings.clientSpec().pingInterval());
        assertEquals(Duration.ofMillis(50), settings.clientSpec().pongTimeout());
        assertEquals(Duration.ZERO, settings("@lobby").keepalive(Duration.ZERO).build().clientSpec().pingInterval());
        started(settings);
        awaitOnline();
        kosmi.ping();
        await("the bridge answers the double's ping", () -> kosmi.pongs() == 1);
        injectWhenJoined("@lobby", "kim", "still here");
        assertEquals("still here", nextPublished().text());
        assertEquals(0, kosmi.pings(), "no second keepalive beside the WebSocket's");
    }

    @Test
    void aDisabledEndpointIsOfflineAndNeverConnects() throws Exception {
        started(settings("@lobby").enabled(false).build());
        assertEquals(EndpointStatus.State.OFFLINE, adapter.status().state());
        assertEquals(EndpointStatus.Detail.DISABLED, adapter.status().detail());
        assertInstanceOf(EndpointUnavailableException.class, sendFails("@lobby", "anyone?"));
        assertEquals(0, kosmi.logins());
        assertEquals(0, kosmi.connections());
    }

    // --- receiving ----------------------------------------------------------------------------

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
        assertFalse(message.time().isBefore(before.truncatedTo(ChronoUnit.SECONDS)), message.time().toString());
        assertEquals(Map.of("username", "kim", "displayName", "KIM"), ((Map<?, ?>) message.data()).get("user"));
        assertEquals(1, adapter.metrics().messagesIn());
    }

    /** Bad inputs: an empty message and one of whitespace only: neither is published, both are counted. */
    @Test
    void emptyMessagesAreNotPublished() throws Exception {
        online("@lobby");
        injectWhenJoined("@lobby", "kim", "");
        injectWhenJoined("@lobby", "kim", " \n\t ");
        injectWhenJoined("@lobby", "kim", "marker");
        assertEquals("marker", nextPublished().text());
        assertTrue(published.isEmpty());
        assertEquals(2L, adapter.metrics().details().get("emptyMessagesIgnored"));
        assertEquals(1, adapter.metrics().messagesIn());
        assertEquals(0, adapter.metrics().errors());
    }

    // --- sending ------------------------------------------------------------------------------

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
        KosmiSettings settings = KosmiAdapter.settings(config);
        assertEquals(List.of("@lobby", "@hall", "@den"), settings.rooms());
        started(settings);
        awaitOnline();
        assertEquals("joined @lobby, @hall, @den", adapter.status().reason());
        // a channel may be spelled either way too
        send("den", "short");
        assertEquals("@den", kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS)).room());
    }

    /** A gateway member may name a room in any spelling; the router asks the endpoint for the one it publishes on. */
    @ParameterizedTest
    @ValueSource(strings = {"lobby", "@lobby", " @lobby ", "https://app.kosmi.io/room/@lobby",
            "https://app.kosmi.io/room/lobby/?ref=x"})
    void everySpellingOfARoomIsTheChannelItsMessagesCarry(String spelling) throws Exception {
        online("@lobby");
        assertEquals("@lobby", adapter.canonicalChannel(spelling));
        injectWhenJoined("@lobby", "kim", "hi");
        assertEquals(adapter.canonicalChannel(spelling), nextPublished().channel());
    }

    /** Bad inputs: nothing, an address without a room, a space, a lone @: refused with the reason. */
    @Test
    void aChannelThatIsNoRoomIsRefusedWithTheReason() {
        adapter = new KosmiAdapter(transport, data);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adapter.canonicalChannel(" "))
                .getMessage().contains("the name is empty"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> adapter.canonicalChannel("https://app.kosmi.io/rooms")).getMessage()
                .contains("is an address without /room/<name>"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adapter.canonicalChannel("the lobby"))
                .getMessage().contains("a room name has no spaces"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adapter.canonicalChannel("@"))
                .getMessage().contains("no name"));
    }

    /** Bad input: Kosmi refuses a SendMessage: a plain delivery failure ("never"), and the next send works. */
    @Test
    void aSendFailsWithTheGraphqlErrorAndTheNextOneWorks() throws Exception {
        online("@lobby");
        kosmi.failNext("SendMessage", "You are sending messages too fast");
        DeliveryException refused = sendFails("@lobby", "one");
        assertFalse(refused instanceof EndpointUnavailableException, "Kosmi's refusal is final");
        assertTrue(refused.getMessage().contains("You are sending messages too fast"), refused.getMessage());
        send("@lobby", "two");
        assertEquals("two", kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS)).body());
        assertEquals(EndpointStatus.State.ONLINE, adapter.status().state());
        assertEquals(1, adapter.metrics().errors());
    }

    /** Bad inputs: a room this endpoint did not join, an event without text, a channel that is no room. */
    @Test
    void whatCannotBeSentFailsWithoutReachingKosmi() throws Exception {
        online("@lobby");
        DeliveryException elsewhere = sendFails("@elsewhere", "x");
        assertTrue(elsewhere.getMessage().contains("room @elsewhere is not one of [@lobby]"));
        assertFalse(elsewhere instanceof EndpointUnavailableException);
        CompletionException noText = assertThrows(CompletionException.class, () -> adapter.send(
                Message.builder("tracker", "@lobby").event("task:done").data(Map.of("task", 1)).build())
                .toCompletableFuture().join());
        assertTrue(noText.getCause().getMessage().contains("chat text only"));
        assertTrue(sendFails("a room/with slash", "x").getMessage().contains("not a Kosmi room"));
        assertNull(kosmi.nextSent(Duration.ofMillis(100)));
        assertEquals(List.of("OnNewMessage", "JoinRoom"), kosmi.operationNames());
    }

    /** Not connected yet: "not now", which the router keeps and sends again once the endpoint is online. */
    @Test
    void sendingWhileNotConnectedFailsAtOnceAsUnavailable() throws Exception {
        kosmi.withholdAck(true);
        started(settings("@lobby").build());
        await("connected", () -> kosmi.inits().size() == 1);
        DeliveryException early = sendFails("@lobby", "too early");
        assertInstanceOf(EndpointUnavailableException.class, early);
        assertTrue(early.getMessage().contains("not connected: awaiting connection_ack"), early.getMessage());
        assertEquals(0, adapter.metrics().errors(), "a send refused for now is no error");
    }

    @Test
    void aSendKosmiDoesNotAnswerTimesOutOnce() throws Exception {
        started(settings("@lobby").sendTimeout(Duration.ofMillis(200)).build());
        awaitOnline();
        kosmi.leaveUnanswered("SendMessage", true);
        DeliveryException late = sendFails("@lobby", "into the void");
        assertFalse(late instanceof EndpointUnavailableException);
        assertTrue(late.getMessage().contains("no answer from Kosmi within 200 ms"), late.getMessage());
        assertEquals(1, adapter.metrics().errors());
        assertEquals(1L, adapter.metrics().details().get("sendTimeouts"));
        assertEquals(EndpointStatus.State.ONLINE, adapter.status().state());
    }
}
