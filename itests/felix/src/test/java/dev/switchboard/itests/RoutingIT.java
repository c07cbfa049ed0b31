package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.GatewayRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

/** Gateways created through Config Admin route between endpoints, across a real WebSocket. */
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
        await("the loop endpoint is online", () -> stateIs("loop", EndpointStatus.State.ONLINE));
        awaitGatewayReady("to-loop");
        awaitGatewayReady("from-loop");

        Message sent = browser.emit("chat:lobby", "ada", "hello over the wire");
        await("the archive received the message", () -> archive.size() == 1);

        Message received = archive.messages.get(0);
        assertEquals(sent.id(), received.id());
        assertEquals("log", received.channel());
        assertTrue(received.text(), received.text().endsWith("hello over the wire"));
        assertTrue(received.text(), received.text().contains("ada"));
        assertEquals("web", received.endpoint());
        assertTrue(received.hops().toString(), received.hops().containsAll(java.util.List.of("web", "loop", "archive")));
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

        chat.emit("room", "bob", "one");
        await("first received one", () -> first.size() == 1);

        java.util.Dictionary<String, Object> edited = gateway.getProperties();
        edited.put("members", new String[] {Members.in("chat", "room"), Members.out("second", "room")});
        gateway.update(edited);
        await("the edit is applied", () -> {
            chat.emit("room", "bob", "probe");
            return second.size() > 0;
        });
        // from now on only the new member receives
        Message after = chat.emit("room", "bob", "two");
        await("second received two", () -> second.messages.stream().anyMatch(m -> m.id().equals(after.id())));
        assertTrue("first received nothing after the edit",
                first.messages.stream().noneMatch(m -> m.id().equals(after.id())));
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
        await("the healthy gateway delivered", () -> sink.messages.stream().anyMatch(m -> m.id().equals(message.id())));
        assertEquals("delivered once: the malformed gateway routed nothing", 1,
                sink.messages.stream().filter(m -> m.id().equals(message.id())).count());
        await("the waiting gateway holds the message for the absent endpoint", () -> gatewayInfo("waiting")
                .map(g -> g.sinks().stream().anyMatch(q -> q.endpoint().equals("nobody-provides-this") && q.queued() == 1))
                .orElse(false));
    }

    private java.util.Optional<GatewayInfo> gatewayInfo(String name) {
        ServiceReference<GatewayRegistry> ref = context.getServiceReference(GatewayRegistry.class);
        try {
            return context.getService(ref).gateways().stream().filter(g -> g.name().equals(name)).findFirst();
        } finally {
            context.ungetService(ref);
        }
    }

    private boolean stateIs(String endpoint, EndpointStatus.State state) {
        try {
            return endpointState(endpoint) == state;
        } catch (Exception e) {
            return false;
        }
    }
}
