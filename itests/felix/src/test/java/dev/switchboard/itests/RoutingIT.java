package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.router.GatewayInfo;
import java.util.Dictionary;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Gateways created through Config Admin route between endpoints, across a real WebSocket.
 *
 * <p>"Nothing else arrived" is checked behind a marker: a later message sent along the same path
 * is awaited first. A path delivers in order, so anything wrongly sent before the marker (a
 * duplicate, a stray copy) has arrived by the time the marker has.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RoutingIT extends SwitchboardTestSupport {

    @Test
    public void gatewayRoutesThroughALoopbackWebSocket() throws Exception {
        TestSource browser = source("web");
        webSocketLoop("loop");
        recordingSink("archive");
        Recorder archive = recorder("archive");
        // web -> loop crosses a transport client and server; loop -> archive is a second gateway
        gateway("to-loop", Members.in("web", "chat:lobby"), Members.out("loop", "lobby"));
        gateway("from-loop", Members.in("loop", "lobby"), Members.out("archive", "log"));
        await("the loop endpoint is online", () -> endpointState("loop") == EndpointStatus.State.ONLINE);
        awaitGatewayReady("to-loop");
        awaitGatewayReady("from-loop");

        Message sent = browser.emit("chat:lobby", "ada", "hello over the wire");
        await("the archive received the message", () -> archive.received(sent));
        Message marker = browser.emit("chat:lobby", "ada", "marker");
        await("the archive received the marker", () -> archive.received(marker));
        assertEquals("the message once, then the marker", List.of(sent.id(), marker.id()), archive.ids());

        Message received = archive.messages.get(0);
        assertEquals("log", received.channel());
        assertTrue(received.text(), received.text().endsWith("hello over the wire"));
        assertTrue(received.text(), received.text().contains("ada"));
        assertEquals("web", received.endpoint());
        assertTrue(received.hops().toString(), received.hops().containsAll(List.of("web", "loop", "archive")));
    }

    @Test
    public void gatewayConfigurationEditsApplyLive() throws Exception {
        TestSource chat = source("chat");
        recordingSink("first");
        recordingSink("second");
        Recorder first = recorder("first");
        Recorder second = recorder("second");
        org.osgi.service.cm.Configuration gateway = gateway("live", Members.in("chat", "room"), Members.out("first", "room"));
        awaitGatewayReady("live");

        Message one = chat.emit("room", "bob", "one");
        await("first received one", () -> first.received(one));

        Dictionary<String, Object> edited = gateway.getProperties();
        edited.put("members", new String[] {Members.in("chat", "room"), Members.out("second", "room")});
        gateway.update(edited);
        await("the edit is applied", () -> {
            chat.emit("room", "bob", "probe");
            return second.size() > 0;
        });
        // from now on only the new member receives
        Message two = chat.emit("room", "bob", "two");
        await("second received two", () -> second.received(two));
        // a former member's queue delivers what it holds, then ends: once it has ended, "two" would have arrived
        await("the queue of the former member has ended", () -> gatewayInfo("live")
                .map(g -> g.sinks().stream().noneMatch(q -> q.endpoint().equals("first"))).orElse(false));
        assertFalse("first received nothing after the edit", first.received(two));
    }

    @Test
    public void malformedGatewayStaysInactiveAndOthersKeepRouting() throws Exception {
        TestSource chat = source("bad-input-source");
        recordingSink("bad-input-sink");
        Recorder sink = recorder("bad-input-sink");
        // bad inputs: a member without a direction, and a member naming an endpoint nobody provides
        gateway("malformed", Members.in("bad-input-source", "room"), "bad-input-sink:room sideways");
        gateway("waiting", Members.in("bad-input-source", "room"), Members.out("nobody-provides-this", "room"));
        gateway("healthy", Members.in("bad-input-source", "room"), Members.out("bad-input-sink", "room"));
        awaitGatewayReady("healthy");
        await("the malformed gateway is listed inactive with its reason", () -> gatewayInfo("malformed")
                .map(g -> !g.active() && g.reason().contains("sideways")).orElse(false));
        await("the gateway naming an absent endpoint waits, active", () -> gatewayInfo("waiting")
                .map(GatewayInfo::active).orElse(false));

        Message message = chat.emit("room", "eve", "still flowing");
        Message marker = chat.emit("room", "eve", "marker");
        await("the healthy gateway delivered both", () -> sink.received(message) && sink.received(marker));
        assertEquals("each once, in order", List.of(message.id(), marker.id()), sink.ids());
        // routing is decided while emit runs: a gateway that took the message has counted it by now
        assertEquals("the malformed gateway routed nothing", 0, gatewayInfo("malformed").orElseThrow().routed());
        await("the waiting gateway holds both messages for the absent endpoint", () -> gatewayInfo("waiting")
                .map(g -> g.sinks().stream().anyMatch(q -> q.endpoint().equals("nobody-provides-this") && q.queued() == 2))
                .orElse(false));
    }
}
