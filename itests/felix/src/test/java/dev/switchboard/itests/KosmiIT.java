package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.switchboard.api.Author;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.transport.WebSocketTransport;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The Kosmi adapter in a real Felix, configured through Config Admin, against the loopback Kosmi
 * double: login, connection_init, subscribe and join, receive and send without echo, the three
 * room spellings, reconnect, the token kept across a bundle restart, bad inputs (a failing login,
 * a wrong token, no ack, malformed answers, throttling, settings that cannot work), and a gateway
 * carrying chat between a Kosmi room and a channels topic in both directions.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KosmiIT extends SwitchboardTestSupport {

    private static final long TIMEOUT_SECONDS = 30;

    @Inject
    private WebSocketTransport transport;

    @Inject
    private MetaTypeService metatype;

    private KosmiDouble kosmi;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final List<Browser> browsers = new ArrayList<>();

    @Before
    public void startDouble() throws Exception {
        kosmi = new KosmiDouble(transport).start();
    }

    @After
    public void stopDouble() {
        subscriptions.forEach(Subscription::close);
        subscriptions.clear();
        browsers.forEach(Browser::close);
        browsers.clear();
        kosmi.close();
    }

    @Test
    public void logsInJoinsReceivesAndSendsWithoutEcho() throws Exception {
        BlockingQueue<Message> published = online("kosmi-basic", new String[] {"@lobby"});
        assertEquals("joined @lobby", endpoint("kosmi-basic").status().reason());
        assertEquals(1, kosmi.logins());
        assertEquals("4364", kosmi.inits().get(0).payload().get("v"));
        assertEquals(List.of("OnNewMessage", "JoinRoom"), kosmi.operationNames());

        injectWhenJoined("@lobby", "kim", "Kim", "hello switchboard");
        Message received = next(published);
        assertEquals("kosmi-basic", received.endpoint());
        assertEquals("@lobby", received.channel());
        assertEquals(new Author("kim", "Kim"), received.author());
        assertEquals("hello switchboard", received.text());

        sink("kosmi-basic").send(Message.builder("elsewhere", "@lobby").author("ada", "Ada").text("hi kim").build())
                .toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        KosmiDouble.Sent sent = kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS));
        assertEquals("@lobby", sent.room());
        assertEquals("hi kim", sent.body());
        injectWhenJoined("@lobby", "kim", "Kim", "after the echo");
        assertEquals("the bridge's own message is not published back", "after the echo", next(published).text());
    }

    @Test
    public void theMetatypeHasThePasswordTheRangesAndTheWebConsoleNameHint() {
        ObjectClassDefinition definition = metatype.getMetaTypeInformation(installed("dev.switchboard.kosmi"))
                .getObjectClassDefinition("dev.switchboard.kosmi", null);
        assertNotNull(definition);
        assertFalse(definition.getDescription().toLowerCase().contains("seed"));
        Map<String, AttributeDefinition> attributes = new HashMap<>();
        for (AttributeDefinition attribute : definition.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            attributes.put(attribute.getID(), attribute);
        }
        assertEquals(AttributeDefinition.PASSWORD, attributes.get("token").getType());
        assertEquals(AttributeDefinition.BOOLEAN, attributes.get("enabled").getType());
        assertEquals("Kosmi {id}", attributes.get("webconsole.configurationFactory.nameHint").getDefaultValue()[0]);
        // Felix Metatype checks the ranges: a value below one is refused before the endpoint sees it
        assertFalse(attributes.get("sendTimeoutSeconds").validate("0").isEmpty());
        assertEquals("", attributes.get("sendTimeoutSeconds").validate("1"));
        assertFalse(attributes.get("maxMessageBytes").validate("1000").isEmpty());
    }

    /** Bad input: a setting that cannot work: registered anyway, OFFLINE with the key that is wrong. */
    @Test
    public void aSettingThatCannotWorkIsAConfigurationErrorNamingTheKey() throws Exception {
        configureKosmi("kosmi-bad", new String[] {"@lobby"}, "maxMessageBytes", 100);
        awaitReason("kosmi-bad", "maxMessageBytes = 100: must be at least 4096");
        assertEquals(EndpointStatus.State.OFFLINE, endpoint("kosmi-bad").status().state());
        assertEquals(EndpointStatus.Detail.CONFIGURATION_ERROR, endpoint("kosmi-bad").status().detail());
        assertEquals(0, kosmi.logins());
    }

    @Test
    public void gatewayMembersMayNameARoomInAnySpelling() throws Exception {
        online("kosmi-spelling", new String[] {"@lobby"});
        Endpoint endpoint = endpoint("kosmi-spelling");
        assertEquals("@lobby", endpoint.canonicalChannel("lobby"));
        assertEquals("@lobby", endpoint.canonicalChannel("https://app.kosmi.io/room/@lobby"));
        try {
            endpoint.canonicalChannel("the lobby");
            fail("a name with a space is no room");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("not a Kosmi room"));
        }
    }

    @Test
    public void allThreeRoomSpellingsJoinTheRoomWithItsAt() throws Exception {
        online("kosmi-spellings", new String[] {"lobby", "@hall", "https://app.kosmi.io/room/@den"});
        assertEquals("joined @lobby, @hall, @den", endpoint("kosmi-spellings").status().reason());
        assertEquals("@den", kosmi.operations().get(4).variables().get("roomId"));
    }

    @Test
    public void afterADropItRejoinsResubscribesAndReceivesOnce() throws Exception {
        BlockingQueue<Message> published = online("kosmi-drop", new String[] {"@lobby"});
        kosmi.drop();
        await("a second connection_init", () -> kosmi.inits().size() == 2);
        awaitState("kosmi-drop", EndpointStatus.State.ONLINE);
        assertEquals(List.of("OnNewMessage", "JoinRoom", "OnNewMessage", "JoinRoom"), kosmi.operationNames());
        injectWhenJoined("@lobby", "kim", "Kim", "once");
        injectWhenJoined("@lobby", "kim", "Kim", "marker");
        assertEquals("once", next(published).text());
        assertEquals("marker", next(published).text());
        assertNull("nothing is received twice", published.poll(100, TimeUnit.MILLISECONDS));
        assertEquals(1, kosmi.logins());
    }

    @Test
    public void theTokenIsReusedAfterABundleRestart() throws Exception {
        online("kosmi-restart", new String[] {"@lobby"});
        Bundle bundle = installed("dev.switchboard.kosmi");
        File stored = bundle.getBundleContext().getDataFile("token-kosmi-restart");
        assertTrue(stored.isFile());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.toPath())));
        String token = (String) kosmi.inits().get(0).payload().get("token");
        assertEquals(token, Files.readString(stored.toPath()));

        bundle.stop();
        await("the endpoint is gone", () -> endpoint("kosmi-restart") == null);
        bundle.start();
        awaitState("kosmi-restart", EndpointStatus.State.ONLINE);
        assertEquals("no second login", 1, kosmi.logins());
        assertEquals(token, kosmi.inits().get(1).payload().get("token"));
    }

    /** Bad inputs: the login endpoint answers 503, then HTML, then works. */
    @Test
    public void aFailingLoginIsRetriedWithTheReasonUntilItWorks() throws Exception {
        kosmi.login(KosmiDouble.Login.DOWN);
        configureKosmi("kosmi-login", new String[] {"@lobby"});
        awaitReason("kosmi-login", "login failed: HTTP 503");
        assertEquals(EndpointStatus.State.CONNECTING, endpoint("kosmi-login").status().state());
        kosmi.login(KosmiDouble.Login.GARBAGE);
        awaitReason("kosmi-login", "login failed: unreadable answer");
        kosmi.login(KosmiDouble.Login.OK);
        awaitState("kosmi-login", EndpointStatus.State.ONLINE);
    }

    /** Bad input: a configured token Kosmi rejects (4403): the endpoint logs in anonymously instead. */
    @Test
    public void aWrongTokenIsReplacedByALogin() throws Exception {
        configureKosmi("kosmi-wrong-token", new String[] {"@lobby"}, "token", "not.a.token");
        awaitState("kosmi-wrong-token", EndpointStatus.State.ONLINE);
        assertEquals("not.a.token", kosmi.inits().get(0).payload().get("token"));
        assertEquals(1, kosmi.logins());
        assertFalse(endpoint("kosmi-wrong-token").status().reason().contains("not.a.token"));
    }

    /** Bad input: no connection_ack. */
    @Test
    public void aMissingAckTimesOutAndIsRetried() throws Exception {
        kosmi.withholdAck(true);
        configureKosmi("kosmi-no-ack", new String[] {"@lobby"}, "ackTimeoutSeconds", 1);
        awaitReason("kosmi-no-ack", "ack timeout");
        kosmi.withholdAck(false);
        awaitState("kosmi-no-ack", EndpointStatus.State.ONLINE);
        assertTrue(kosmi.inits().size() >= 2);
    }

    /** Bad inputs: malformed next payloads, and an error for one SendMessage; the rest keeps working. */
    @Test
    public void malformedNextAndAFailedOperationLeaveTheRestWorking() throws Exception {
        BlockingQueue<Message> published = online("kosmi-errors", new String[] {"@lobby"});
        await("subscribed", () -> kosmi.listeners("@lobby") > 0);
        kosmi.injectRaw("@lobby", "{\"data\":{\"newMessage\":{\"body\":42}}}");
        kosmi.injectRaw("@lobby", "{\"errors\":[{\"message\":\"resolver failed\"}]}");
        injectWhenJoined("@lobby", "kim", "Kim", "well formed");
        assertEquals("well formed", next(published).text());

        kosmi.failNext("SendMessage", "Slow down");
        try {
            sink("kosmi-errors").send(Message.builder("x", "@lobby").text("refused").build())
                    .toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            fail("the refused message was accepted");
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof DeliveryException);
            assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("Slow down"));
        }
        sink("kosmi-errors").send(Message.builder("x", "@lobby").text("accepted").build())
                .toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals("accepted", kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS)).body());
        assertEquals(1, kosmi.inits().size());
        assertEquals(EndpointStatus.State.ONLINE, endpoint("kosmi-errors").status().state());
    }

    /** Bad input: close 4429. */
    @Test
    public void close4429BacksOffThenReconnects() throws Exception {
        online("kosmi-throttled", new String[] {"@lobby"});
        kosmi.closeAll(4429, "Too many initialisation requests");
        awaitReason("kosmi-throttled", "closed with code 4429");
        await("a second connection_init", () -> kosmi.inits().size() == 2);
        awaitState("kosmi-throttled", EndpointStatus.State.ONLINE);
    }

    @Test
    public void aGatewayCarriesChatBetweenAKosmiRoomAndAChannelsTopic() throws Exception {
        configure("dev.switchboard.channels", "channels.local", "id", "channels.local", "port", 0);
        awaitState("channels.local", EndpointStatus.State.ONLINE);
        String url = (String) endpoint("channels.local").metrics().details().get("url");
        configureKosmi("kosmi.main", new String[] {"@room"});
        awaitState("kosmi.main", EndpointStatus.State.ONLINE);
        gateway("kosmi-lobby", "kosmi.main:@room inout", "channels.local:chat:lobby inout");
        awaitGatewayReady("kosmi-lobby");

        Browser browser = new Browser(URI.create(url));
        browsers.add(browser);
        browser.send("[\"chat:lobby\",\"subscribe\",{}]");
        browser.expect("[\"chat:lobby\",\"subscribed\",{}]");
        browser.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");

        // Kosmi -> channels, nick format applied
        injectWhenJoined("@room", "kim", "Kim", "hello lobby");
        String fromKosmi = browser.next();
        assertTrue(fromKosmi, fromKosmi.startsWith("[\"chat:lobby\",\"message\",{"));
        assertTrue(fromKosmi, fromKosmi.contains("\"text\":\"[kosmi] <Kim> hello lobby\""));
        assertTrue(fromKosmi, fromKosmi.contains("\"endpoint\":\"kosmi.main\""));

        // channels -> Kosmi as a SendMessage with the formatted body
        browser.send("[\"chat:lobby\",\"message\",{\"text\":\"hi kosmi\",\"author\":\"ada\"}]");
        browser.expect("[\"chat:lobby\",\"message\",{\"text\":\"hi kosmi\",\"author\":\"ada\"}]");
        KosmiDouble.Sent sent = kosmi.nextSent(Duration.ofSeconds(TIMEOUT_SECONDS));
        assertNotNull("the browser's message reached Kosmi", sent);
        assertEquals("@room", sent.room());
        assertEquals("[channels] <ada> hi kosmi", sent.body());

        // nothing loops: the next thing either side sees is a fresh marker, nothing comes back
        injectWhenJoined("@room", "kim", "Kim", "marker");
        String marker = browser.next();
        assertTrue(marker, marker.contains("\"text\":\"[kosmi] <Kim> marker\""));
        assertNull("no second SendMessage", kosmi.nextSent(Duration.ofMillis(200)));
        assertNull("no further frame for the browser", browser.poll(java.time.Duration.ofMillis(200)));
    }

    // --- helpers ------------------------------------------------------------------------------

    private void configureKosmi(String id, String[] rooms, Object... more) throws Exception {
        List<Object> values = new ArrayList<>(List.of("id", id, "rooms", rooms, "graphqlUrl", kosmi.graphqlUrl(),
                "webSocketUrl", kosmi.webSocketUrl(), "retryInitialMillis", 50, "retryMaxMillis", 400));
        values.addAll(List.of(more));
        configure("dev.switchboard.kosmi", id, values.toArray());
    }

    /** Configures an endpoint, waits until it is online and returns what its source publishes. */
    private BlockingQueue<Message> online(String id, String[] rooms) throws Exception {
        configureKosmi(id, rooms);
        awaitState(id, EndpointStatus.State.ONLINE);
        BlockingQueue<Message> published = new LinkedBlockingQueue<>();
        subscriptions.add(service(MessageSource.class, id).subscribe(published::add));
        return published;
    }

    private void injectWhenJoined(String room, String username, String displayName, String body)
            throws InterruptedException {
        await("the double delivers to " + room, () -> kosmi.listeners(room) > 0);
        assertEquals(1, kosmi.inject(room, username, displayName, body));
    }

    private static Message next(BlockingQueue<Message> published) throws InterruptedException {
        Message message = published.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull("nothing was published", message);
        return message;
    }

    private void awaitState(String id, EndpointStatus.State state) throws InterruptedException {
        await(id + " is " + state, () -> {
            Endpoint endpoint = endpoint(id);
            return endpoint != null && endpoint.status().state() == state;
        });
    }

    private void awaitReason(String id, String fragment) throws InterruptedException {
        await(id + "'s status says " + fragment, () -> {
            Endpoint endpoint = endpoint(id);
            return endpoint != null && endpoint.status().reason().contains(fragment);
        });
    }

    private Endpoint endpoint(String id) {
        return service(Endpoint.class, id);
    }

    private MessageSink sink(String id) {
        return service(MessageSink.class, id);
    }

    private <T> T service(Class<T> type, String id) {
        try {
            for (ServiceReference<T> ref : context.getServiceReferences(type,
                    "(" + Endpoint.ENDPOINT_PROPERTY + "=" + id + ")")) {
                return context.getService(ref);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return null;
    }
}
