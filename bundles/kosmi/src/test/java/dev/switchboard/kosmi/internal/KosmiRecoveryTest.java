package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kosmi endpoint when things go wrong: logins, tokens, lost connections, close codes, timeouts, stopping. */
class KosmiRecoveryTest extends LoopbackKosmiTest {

    /** A backoff far longer than any test waits: recovering within a test means not waiting for it. */
    private static final Duration FOREVER = Duration.ofMinutes(10);

    // --- connections --------------------------------------------------------------------------

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
        EndpointStatus lost = awaitStatusSeen("closed with code 1012 (service restart)");
        assertEquals(State.CONNECTING, lost.state());
        assertEquals(Detail.COMMUNICATION_ERROR, lost.detail());
    }

    /** Bad input: the service never sends connection_ack. */
    @Test
    void aMissingAckTimesOutAndIsRetried() throws Exception {
        kosmi.withholdAck(true);
        started(settings("@lobby").ackTimeout(Duration.ofMillis(200)).build());
        awaitStatus("ack timeout");
        assertEquals(State.CONNECTING, adapter.status().state());
        assertEquals(Detail.COMMUNICATION_ERROR, adapter.status().detail());
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
        awaitStatusSeen("invalid message from Kosmi");
    }

    /** Bad input: an error for one room's JoinRoom; the other room keeps working. */
    @Test
    void anErrorForOneOperationLeavesTheOthersWorking() throws Exception {
        kosmi.failNext("JoinRoom", "Room is full");
        started(settings("@full", "@open").build());
        awaitOnline();
        assertEquals("joined @open; @full join refused: Room is full", adapter.status().reason());
        injectWhenJoined("@open", "kim", "open room");
        assertEquals("open room", nextPublished().text());
        DeliveryException full = sendFails("@full", "x");
        assertTrue(full.getMessage().contains("room @full is not joined: join refused: Room is full"));
        assertFalse(full instanceof EndpointUnavailableException, "a refused room stays refused until a reconnect");
    }

    @Test
    void anErrorForTheOnlyRoomIsOfflineWithTheReason() throws Exception {
        kosmi.failNext("OnNewMessage", "Room not found");
        started(settings("@gone").build());
        awaitStatus("no room joined; @gone subscription refused: Room not found");
        assertEquals(State.OFFLINE, adapter.status().state());
        assertEquals(Detail.CONFIGURATION_ERROR, adapter.status().detail());
    }

    /** Bad input: close 4429: the endpoint waits the longest backoff, then reconnects. */
    @Test
    void close4429BacksOffThenReconnects() throws Exception {
        online("@lobby");
        kosmi.closeAll(4429, "Too many initialisation requests");
        awaitStatus("closed with code 4429 (too many initialisation requests); backing off");
        assertEquals(State.CONNECTING, adapter.status().state());
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

    // --- logins and tokens --------------------------------------------------------------------

    @Test
    void theTokenIsStoredOwnerOnlyAndReusedAfterARestart() throws Exception {
        online("@lobby");
        Path file = data.resolve("token-kosmi-test");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String token = Files.readString(file);
        assertEquals(token, kosmi.inits().get(0).payload().get("token"));

        adapter.stop();
        assertEquals(State.OFFLINE, adapter.status().state());
        adapter.start(settings("@lobby").build());
        awaitOnline();
        assertEquals(1, kosmi.logins(), "no second login");
        assertEquals(token, kosmi.inits().get(1).payload().get("token"));
    }

    /**
     * Bad input: a stored token Kosmi no longer accepts (4403): logged in again, the new token replaces
     * it, and the endpoint connects at once rather than after the next scheduled retry.
     */
    @Test
    void aRejectedTokenIsReplacedByANewLoginAndConnectsAtOnce() throws Exception {
        Files.writeString(data.resolve("token-kosmi-test"), "expired.jwt.token");
        started(settings("@lobby").backoff(FOREVER, FOREVER).build());
        awaitOnline();
        assertEquals("expired.jwt.token", kosmi.inits().get(0).payload().get("token"));
        assertEquals(1, kosmi.logins());
        String replaced = Files.readString(data.resolve("token-kosmi-test"));
        assertNotEquals("expired.jwt.token", replaced);
        assertEquals(replaced, kosmi.inits().get(1).payload().get("token"));
    }

    @Test
    void revokedTokensMidSessionLogInAgainAndConnectAtOnce() throws Exception {
        started(settings("@lobby").backoff(FOREVER, FOREVER).build());
        awaitOnline();
        kosmi.revokeTokens();
        kosmi.closeAll(4401, "Unauthorized");
        await("a second login", () -> kosmi.logins() == 2);
        awaitOnline();
        injectWhenJoined("@lobby", "kim", "still here");
        assertEquals("still here", nextPublished().text());
    }

    /** After a new login, the reconnect schedule starts again at its first delay. */
    @Test
    void aNewLoginResetsTheBackoff() throws Exception {
        online("@lobby");
        kosmi.drop();
        awaitStatusSeen("retry 1 in");
        awaitOnline();
        kosmi.revokeTokens();
        kosmi.closeAll(4403, "Forbidden");
        await("a second login", () -> kosmi.logins() == 2);
        awaitOnline();
        statuses.clear();
        kosmi.drop();
        awaitStatusSeen("retry 1 in");
        awaitOnline();
        assertTrue(statuses.stream().noneMatch(s -> s.reason().contains("retry 2 in")), statuses.toString());
    }

    /** Bad input: the login endpoint answers 503, then HTML, then JSON without a token. */
    @Test
    void aLoginThatFailsIsConnectingWithTheReasonAndRetried() throws Exception {
        kosmi.login(KosmiDouble.Login.DOWN);
        started(settings("@lobby").build());
        awaitStatus("login failed: HTTP 503");
        assertEquals(State.CONNECTING, adapter.status().state());
        assertEquals(Detail.COMMUNICATION_ERROR, adapter.status().detail());
        kosmi.login(KosmiDouble.Login.GARBAGE);
        awaitStatus("login failed: unreadable answer");
        kosmi.login(KosmiDouble.Login.NO_TOKEN);
        awaitStatus("login failed: unreadable answer (no token in the anonLogin answer)");
        kosmi.login(KosmiDouble.Login.OK);
        awaitOnline();
        assertTrue(adapter.metrics().errors() >= 3);
    }

    /** Bad input: Kosmi turns the login away (403): that needs the user; retried all the same. */
    @Test
    void aRefusedLoginIsAnAuthenticationFailure() throws Exception {
        kosmi.login(KosmiDouble.Login.FORBIDDEN);
        started(settings("@lobby").build());
        EndpointStatus refused = awaitStatusSeen("login refused: HTTP 403");
        assertEquals(State.OFFLINE, refused.state());
        assertEquals(Detail.AUTHENTICATION_FAILED, refused.detail());
        awaitStatusSeen("retry 2 in");
        assertEquals(Detail.AUTHENTICATION_FAILED, adapter.status().detail(), "until a login works");
        kosmi.login(KosmiDouble.Login.OK);
        awaitOnline();
    }

    /** Bad input: Kosmi refuses even the token its login just issued: no login storm, an authentication failure. */
    @Test
    void aFreshTokenRefusedIsAnAuthenticationFailureRetriedOnTheBackoff() throws Exception {
        kosmi.refuseTokens(true);
        started(settings("@lobby").build());
        EndpointStatus refused = awaitStatusSeen("Kosmi refused the token its login issued");
        assertEquals(State.OFFLINE, refused.state());
        assertEquals(Detail.AUTHENTICATION_FAILED, refused.detail());
        // each refusal waits longer than the one before: no login at once, no reset of the backoff
        EndpointStatus retrying = awaitStatusSeen("retry 3 in");
        assertEquals(Detail.AUTHENTICATION_FAILED, retrying.detail());
        int logins = kosmi.logins();
        assertTrue(logins <= kosmi.inits().size() + 1, "one login per connection");
        kosmi.refuseTokens(false);
        awaitOnline();
    }

    /** Bad input: nothing listens where the login should be. */
    @Test
    void anUnreachableLoginEndpointIsConnectingAndActivationDoesNotWait() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = socket.getLocalPort();
        }
        started(settings("@lobby").graphqlUrl("http://127.0.0.1:" + closedPort + "/").build());
        assertNotEquals(State.ONLINE, adapter.status().state());
        awaitStatus("login failed");
        assertEquals(State.CONNECTING, adapter.status().state());
    }

    // --- sends and stopping -------------------------------------------------------------------

    /** A send the connection's loss left unanswered is "not now" (sent again later), no error; its timeout never fires later. */
    @Test
    void aSendUnansweredAtACloseIsNotNowAndNeverTimesOut() throws Exception {
        started(settings("@lobby").sendTimeout(Duration.ofMillis(300)).build());
        awaitOnline();
        kosmi.leaveUnanswered("SendMessage", true);
        CompletableFuture<Void> lost = adapter.send(Message.builder("x", "@lobby").text("lost").build())
                .toCompletableFuture();
        await("Kosmi took the SendMessage", () -> kosmi.operationNames().contains("SendMessage"));
        kosmi.drop();
        CompletionException failure = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> lost.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join());
        // "not now": the router sends it again once the endpoint is online
        DeliveryException closed = assertInstanceOf(EndpointUnavailableException.class, failure.getCause());
        assertTrue(closed.getMessage().contains("connection closed (1012) before Kosmi answered"), closed.getMessage());
        assertEquals(0, adapter.metrics().errors(), "not now is no error");

        // a later send times out after the same timeout: had the lost one's timer survived, it would have fired first
        awaitOnline();
        assertTrue(sendFails("@lobby", "later").getMessage().contains("no answer from Kosmi within 300 ms"));
        assertEquals(1, adapter.metrics().errors(), "the timed-out send counted once");
        assertEquals(1L, adapter.metrics().details().get("sendTimeouts"), "only the later send timed out");
    }

    @Test
    void stoppingFailsPendingWorkAndEndsEveryThread() throws Exception {
        online("@lobby");
        kosmi.leaveUnanswered("SendMessage", true);
        CompletableFuture<Void> pending = adapter.send(Message.builder("x", "@lobby").text("pending").build())
                .toCompletableFuture();
        await("Kosmi took the SendMessage", () -> kosmi.operationNames().contains("SendMessage"));
        adapter.stop();
        CompletionException stopped = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> pending.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join());
        assertTrue(stopped.getCause().getMessage().contains("endpoint stopped"), stopped.getCause().getMessage());
        assertEquals(State.OFFLINE, adapter.status().state());
        DeliveryException late = sendFails("@lobby", "late");
        assertInstanceOf(EndpointUnavailableException.class, late);
        assertTrue(late.getMessage().contains("stopped"), late.getMessage());
        await("no kosmi thread is left", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("switchboard-kosmi-")));
        await("the login's HTTP client has no selector thread left", () -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager")));
        await("the double saw the close", () -> kosmi.connections() == 0);
    }
}
