package dev.switchboard.router.internal;

import dev.switchboard.api.Message;
import dev.switchboard.router.GatewayInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingTest extends RouterFixture {

    @Test
    void inMemberReachesEveryReceivingMemberAndOutMemberPublishesNothing() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        TestEndpoint c = endpoint("c", "tracker");
        configure(Settings.of("g", "a:x in", "b:y out", "c:z inout").withNickFormat(""));

        a.publish(a.chat("x", "alice", "from a"));
        assertEquals("from a", b.awaitAccepted(1).get(0).text());
        assertEquals("from a", c.awaitAccepted(1).get(0).text());

        b.publish(b.chat("y", "bob", "from out-only b"));
        c.publish(c.chat("z", "carol", "from c"));
        // c's message reaches b (out) but not a (in only), and b's was ignored, so b's next is c's
        assertEquals("from c", b.awaitAccepted(1).get(0).text());
        assertEquals(2, gateway("g").routed(), "a's and c's messages, not b's");
        assertEquals(List.of("b", "c"), gateway("g").sinks().stream().map(s -> s.endpoint()).toList(),
                "an in-only member has no queue");
    }

    @Test
    void neverDeliversBackToTheOriginMember() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout"));

        a.publish(a.chat("x", "alice", "one"));
        b.awaitAccepted(1);
        b.publish(b.chat("y", "bob", "two"));
        // a's queue is FIFO: had "one" been queued for a, it would arrive first
        assertTrue(a.awaitAccepted(1).get(0).text().endsWith("two"));
    }

    @Test
    void ignoresChannelsThatAreNotMembers() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout"));

        a.publish(a.chat("elsewhere", "alice", "not routed"));
        a.publish(a.chat("x", "alice", "routed"));
        assertTrue(b.awaitAccepted(1).get(0).text().endsWith("routed"));
        assertEquals(1, gateway("g").routed());
    }

    @Test
    void bridgesTwoChannelsOfOneEndpoint() {
        TestEndpoint a = endpoint("a", "channels");
        configure(Settings.of("g", "a:chat:one inout", "a:chat:two inout").withNickFormat(""));

        a.publish(a.chat("chat:one", "alice", "hello two"));
        Message delivered = a.awaitAccepted(1).get(0);
        assertEquals("chat:two", delivered.channel());
        assertEquals("hello two", delivered.text());
    }

    @Test
    void dropsAMessageIdAlreadyRouted() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout"));

        Message once = a.chat("x", "alice", "once");
        a.publish(once);
        a.publish(once);
        a.publish(a.chat("x", "alice", "next"));

        List<Message> got = b.awaitAccepted(2);
        assertEquals(once.id(), got.get(0).id());
        assertTrue(got.get(1).text().endsWith("next"));
        assertEquals(1, gateway("g").duplicates());
        assertEquals(2, gateway("g").routed());
    }

    @Test
    void hopTraceStopsLoopsThroughChainedGateways() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        TestEndpoint c = endpoint("c", "tracker");
        // b and c echo what they are sent back into their source, as a chat room shows the bridge's own posts
        echo(b);
        echo(c);
        configure(Settings.of("g1", "a:x inout", "b:y inout"));
        configure(Settings.of("g2", "b:y inout", "c:z inout", "a:w inout"));

        Message original = a.chat("x", "alice", "round trip?");
        a.publish(original);

        Message atC = c.awaitAccepted(1).get(0);
        assertEquals(original.id(), atC.id());
        assertEquals(List.of("a", "b", "c"), atC.hops());
        // g2 saw the message first from b: a, already in the trace, is skipped; c's echo is a duplicate
        eventually("g2 blocks the loop back to a", () -> gateway("g2").loopsBlocked() == 1);
        eventually("g1 drops b's echo", () -> gateway("g1").duplicates() == 1);
        eventually("g2 drops c's echo", () -> gateway("g2").duplicates() == 1);
        assertEquals(0, queue("g2", "a").queued() + queue("g2", "a").delivered());
        assertEquals(0, queue("g1", "a").queued() + queue("g1", "a").delivered());
        assertTrue(a.sink.attempts.isEmpty());
    }

    @Test
    void skipsDestinationsAlreadyInTheHopTrace() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        TestEndpoint c = endpoint("c", "tracker");
        configure(Settings.of("g", "a:x inout", "b:y inout", "c:z inout"));

        a.publish(a.chat("x", "alice", "been to c").toBuilder().hops(List.of("c", "a")).build());
        assertEquals(List.of("c", "a", "b"), b.awaitAccepted(1).get(0).hops());
        assertEquals(1, gateway("g").loopsBlocked());
        assertEquals(0, queue("g", "c").queued() + queue("g", "c").delivered());
    }

    @Test
    void nickFormatFillsEveryPlaceholderFromTheOrigin() {
        TestEndpoint a = endpoint("kosmi-main", "kosmi");
        TestEndpoint b = endpoint("channels-main", "channels");
        configure(Settings.of("main", "kosmi-main:lobby inout", "channels-main:chat:lobby inout")
                .withNickFormat("{GATEWAY}|{PROTOCOL}|{ENDPOINT}|{CHANNEL}|{NICK}|{UNKNOWN}: "));

        Message original = Message.builder("kosmi-main", "lobby").author("u-17", "Alice").text("hi")
                .data(Map.of("k", "v")).build();
        a.publish(original);

        Message delivered = b.awaitAccepted(1).get(0);
        assertEquals("main|kosmi|kosmi-main|lobby|Alice|{UNKNOWN}: hi", delivered.text());
        assertEquals(original.id(), delivered.id());
        assertEquals("kosmi-main", delivered.endpoint());
        assertEquals("chat:lobby", delivered.channel());
        assertEquals(original.author(), delivered.author());
        assertEquals(original.data(), delivered.data());
        assertEquals(original.time(), delivered.time());
        assertEquals(List.of("kosmi-main", "channels-main"), delivered.hops());
    }

    @Test
    void defaultNickFormatAndEventsPassWithoutIt() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout"));

        a.publish(a.chat("x", "alice", "hello"));
        a.publish(Message.builder("a", "x").author("alice", "Alice").event("joined").text("Alice joined").build());

        List<Message> got = b.awaitAccepted(2);
        assertEquals("[kosmi] <alice> hello", got.get(0).text());
        assertEquals("Alice joined", got.get(1).text());
        assertEquals("joined", got.get(1).event());
        assertEquals("y", got.get(1).channel());
        assertEquals(List.of("a", "b"), got.get(1).hops());
    }

    @Test
    void eachGatewayRoutesIndependently() {
        TestEndpoint a = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        TestEndpoint c = endpoint("c", "tracker");
        configure(Settings.of("g1", "a:x in", "b:y out"));
        configure(Settings.of("g2", "a:x in", "c:z out"));

        a.publish(a.chat("x", "alice", "to both"));
        b.awaitAccepted(1);
        c.awaitAccepted(1);
        List<GatewayInfo> all = router.gateways();
        assertEquals(List.of("g1", "g2"), all.stream().map(GatewayInfo::name).toList());
        assertTrue(all.stream().allMatch(g -> g.routed() == 1 && g.duplicates() == 0));
    }

    private static void echo(TestEndpoint endpoint) {
        TestEndpoint.Sink sink = endpoint.sink;
        var accept = sink.answer;
        sink.answer = message -> {
            endpoint.publish(message);
            return accept.apply(message);
        };
    }
}
