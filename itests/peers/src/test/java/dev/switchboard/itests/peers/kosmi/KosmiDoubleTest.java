package dev.switchboard.itests.peers.kosmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.internal.TyrusTransport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The double enforces the protocol as seed 000 describes Kosmi: a hand-written client finds its rules. */
class KosmiDoubleTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Only long enough for a frame that should not come to arrive if it were sent. */
    private static final Duration QUIET = Duration.ofMillis(300);

    private TyrusTransport transport;
    private KosmiDouble kosmi;
    private KosmiRawClient client;

    @BeforeEach
    void start() throws Exception {
        transport = new TyrusTransport();
        kosmi = new KosmiDouble(transport).start();
        client = new KosmiRawClient();
    }

    @AfterEach
    void stop() {
        client.close();
        kosmi.close();
        transport.close();
    }

    private String next() throws InterruptedException {
        String frame = client.poll(WAIT);
        assertNotNull(frame, "no frame arrived");
        return frame;
    }

    private void acked() throws Exception {
        String token = client.login(kosmi.graphqlUrl());
        client.connect(kosmi.webSocketUrl()).init(token);
        assertEquals("{\"type\":\"connection_ack\"}", next());
    }

    @Test
    void joinedSubscribersReceiveAndSendersSeeTheirEcho() throws Exception {
        acked();
        client.subscribe("1", "@lobby");
        client.join("2", "@lobby");
        assertEquals("{\"id\":\"2\",\"type\":\"next\",\"payload\":{\"data\":{\"joinRoom\":{\"ok\":true}}}}", next());
        assertEquals("{\"id\":\"2\",\"type\":\"complete\"}", next());
        assertEquals(1, kosmi.inject("@lobby", "kim", "Kim", "hello"));
        String message = next();
        assertTrue(message.startsWith("{\"id\":\"1\",\"type\":\"next\",\"payload\":{\"data\":{\"newMessage\":{\"body\":\"hello\""),
                message);
        assertTrue(message.contains("\"user\":{\"displayName\":\"Kim\",\"username\":\"kim\"}"), message);

        client.sendMessage("3", "@lobby", "hi kim");
        assertTrue(next().contains("\"body\":\"hi kim\""), "the sender sees its own message");
        assertEquals("{\"id\":\"3\",\"type\":\"next\",\"payload\":{\"data\":{\"sendMessage\":{\"ok\":true}}}}", next());
        KosmiDouble.Sent sent = kosmi.nextSent(WAIT);
        assertEquals("@lobby", sent.room());
        assertEquals("hi kim", sent.body());
    }

    @Test
    void aSubscriberThatDidNotJoinReceivesNothingAndCannotSend() throws Exception {
        acked();
        client.subscribe("1", "@lobby");
        assertEquals(0, kosmi.inject("@lobby", "kim", "Kim", "not for you"));
        client.sendMessage("2", "@lobby", "let me in");
        assertEquals("{\"id\":\"2\",\"type\":\"error\",\"payload\":[{\"message\":\"Not a member of room @lobby: join it first\"}]}",
                next());
        assertNull(client.poll(QUIET));
        assertNull(kosmi.nextSent(QUIET));
    }

    @Test
    void roomIdsWithoutTheAtAreNotFound() throws Exception {
        acked();
        client.join("1", "lobby");
        assertEquals("{\"id\":\"1\",\"type\":\"error\",\"payload\":[{\"message\":\"Room not found: lobby\"}]}", next());
    }

    @Test
    void badInputsCloseWithTheProtocolsCodes() throws Exception {
        // bad input: a token the double never issued
        client.connect(kosmi.webSocketUrl()).init("not-a-token");
        assertEquals(4403, client.closed().get(20, TimeUnit.SECONDS));

        // bad input: subscribe before connection_ack
        KosmiRawClient early = new KosmiRawClient().connect(kosmi.webSocketUrl());
        early.subscribe("1", "@lobby");
        assertEquals(4401, early.closed().get(20, TimeUnit.SECONDS));

        // bad input: a payload without v and r
        KosmiRawClient sloppy = new KosmiRawClient().connect(kosmi.webSocketUrl());
        sloppy.send("{\"type\":\"connection_init\",\"payload\":{\"token\":\"" + kosmi.issueToken() + "\"}}");
        assertEquals(4400, sloppy.closed().get(20, TimeUnit.SECONDS));

        // bad input: connection_init twice
        KosmiRawClient twice = new KosmiRawClient();
        twice.connect(kosmi.webSocketUrl()).init(kosmi.issueToken());
        twice.init(kosmi.issueToken());
        assertEquals(4429, twice.closed().get(20, TimeUnit.SECONDS));

        // bad input: nothing at all
        kosmi.initTimeout(Duration.ofMillis(100));
        KosmiRawClient silent = new KosmiRawClient().connect(kosmi.webSocketUrl());
        assertEquals(4408, silent.closed().get(20, TimeUnit.SECONDS));
    }

    @Test
    void aFailedOperationLeavesTheOthersWorking() throws Exception {
        acked();
        kosmi.failNext("JoinRoom", "Room is full");
        client.join("1", "@lobby");
        assertEquals("{\"id\":\"1\",\"type\":\"error\",\"payload\":[{\"message\":\"Room is full\"}]}", next());
        client.join("2", "@lobby");
        assertEquals("{\"id\":\"2\",\"type\":\"next\",\"payload\":{\"data\":{\"joinRoom\":{\"ok\":true}}}}", next());
    }

    @Test
    void theLoginAnswersAsConfigured() throws Exception {
        kosmi.login(KosmiDouble.Login.GARBAGE);
        try {
            client.login(kosmi.graphqlUrl());
            throw new AssertionError("garbage held a token");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("<html>"), expected.getMessage());
        }
        kosmi.login(KosmiDouble.Login.OK);
        assertTrue(client.login(kosmi.graphqlUrl()).split("\\.").length == 3, "a JWT has three parts");
        assertEquals(2, kosmi.logins());
    }

    @Test
    void aForbiddenLoginIs403WithAGraphqlError() throws Exception {
        kosmi.login(KosmiDouble.Login.FORBIDDEN);
        try {
            client.login(kosmi.graphqlUrl());
            throw new AssertionError("a forbidden login held a token");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().startsWith("login failed: 403 {\"errors\""), expected.getMessage());
        }
    }

    @Test
    void refusedTokensAreClosedWith4403EvenWhenIssued() throws Exception {
        String token = client.login(kosmi.graphqlUrl());
        kosmi.refuseTokens(true);
        client.connect(kosmi.webSocketUrl()).init(token);
        assertEquals(4403, client.closed().get(20, TimeUnit.SECONDS));
    }

    @Test
    void anOperationLeftUnansweredGetsNoAnswerAndTheOthersDo() throws Exception {
        acked();
        client.join("1", "@lobby");
        assertTrue(next().contains("\"joinRoom\":{\"ok\":true}"));
        assertEquals("{\"id\":\"1\",\"type\":\"complete\"}", next());
        kosmi.leaveUnanswered("SendMessage", true);
        client.sendMessage("2", "@lobby", "into the void");
        client.join("3", "@lobby");
        assertEquals("{\"id\":\"3\",\"type\":\"next\",\"payload\":{\"data\":{\"joinRoom\":{\"ok\":true}}}}", next());
        assertEquals("{\"id\":\"3\",\"type\":\"complete\"}", next());
        assertNull(client.poll(QUIET));
        assertNull(kosmi.nextSent(QUIET));
        assertEquals("SendMessage", kosmi.operations().get(1).name());
    }
}
