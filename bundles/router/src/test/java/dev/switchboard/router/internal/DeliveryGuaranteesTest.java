package dev.switchboard.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatusListener;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.router.MemberInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A message the router accepted is delivered once, in order, or counted and logged as dropped. */
class DeliveryGuaranteesTest extends RouterFixture {

    /** The Endpoint service of a test endpoint: a status the test sets, with events, and a channel spelling. */
    static final class Status implements dev.switchboard.api.Endpoint {
        final String id;
        final List<EndpointStatusListener> listeners = new CopyOnWriteArrayList<>();
        volatile EndpointStatus status = EndpointStatus.online("up");

        Status(String id) {
            this.id = id;
        }

        void set(EndpointStatus next) {
            status = next;
            listeners.forEach(listener -> listener.statusChanged(this, next));
        }

        @Override public String id() { return id; }
        @Override public String protocol() { return "test"; }
        @Override public EndpointStatus status() { return status; }
        @Override public EndpointMetrics metrics() { return EndpointMetrics.EMPTY; }

        /** Rooms are spelt "@room"; a bare "room" means the same; anything with a space is no room. */
        @Override
        public String canonicalChannel(String channel) {
            if (channel.contains(" ")) {
                throw new IllegalArgumentException("a room name has no spaces: \"" + channel + "\"");
            }
            return channel.startsWith("@") ? channel : "@" + channel;
        }

        @Override
        public Subscription watchStatus(EndpointStatusListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }
    }

    private static List<String> texts(List<Message> messages) {
        return messages.stream().map(Message::text).toList();
    }

    /** Bad peer: the destination is reconnecting and says "not now" to every send. */
    @Test
    void notNowMessagesWaitForTheEndpointToBeOnlineAndGoInOrder() {
        TestEndpoint a = endpoint("a", "channels");
        TestEndpoint b = endpoint("b", "kosmi");
        Status bStatus = new Status("b");
        router.endpointAdded(bStatus);
        configure(Settings.of("g", "a:x inout", "b:@y inout").withNickFormat(""));
        b.sink.answer = message -> CompletableFuture.failedFuture(new EndpointUnavailableException("b", "reconnecting"));
        bStatus.set(EndpointStatus.connecting("reconnecting"));
        for (int i = 1; i <= 5; i++) {
            a.publish(a.chat("x", "alice", "m" + i));
        }
        eventually("held", () -> queue("g", "b").waiting() && queue("g", "b").queued() == 5);
        assertEquals(0, queue("g", "b").failed(), "not now is no failure");

        b.sink.answer = message -> CompletableFuture.completedFuture(null);
        bStatus.set(EndpointStatus.online("back"));
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), texts(b.awaitAccepted(5)));
        eventually("delivered", () -> queue("g", "b").delivered() == 5 && !queue("g", "b").waiting());
        assertEquals(0, queue("g", "b").failed());
    }

    @Test
    void messagesOlderThanTheMaximumAgeAreDroppedAndCounted() {
        TestEndpoint a = endpoint("a", "channels");
        TestEndpoint b = endpoint("b", "kosmi");
        router.sinkRemoved(b.sink);
        router.configure("g", new GatewaySettings("g", List.of("a:x inout", "b:y inout"), "", 100,
                Duration.ofSeconds(60), true));
        a.publish(a.chat("x", "alice", "fresh").toBuilder().build());
        a.publish(a.chat("x", "alice", "stale").toBuilder().time(Instant.now().minusSeconds(3600)).build());
        a.publish(a.chat("x", "alice", "fresh too"));
        router.sinkAdded("b", b.sink);
        assertEquals(List.of("fresh", "fresh too"), texts(b.awaitAccepted(2)));
        eventually("expired counted", () -> queue("g", "b").expired() == 1);
    }

    /** Bad input: a member spelt as the user wrote it ("y") and one its endpoint refuses ("no room"). */
    @Test
    void membersAreSpeltByTheirEndpointOrShownUnusable() {
        TestEndpoint a = endpoint("a", "channels");
        TestEndpoint b = endpoint("b", "kosmi");
        router.endpointAdded(new Status("b"));
        configure(Settings.of("g", "a:x inout", "b:y inout", "b:no room out").withNickFormat(""));
        List<MemberInfo> members = gateway("g").members();
        assertEquals("@y", members.get(1).channel());
        assertEquals("", members.get(1).problem());
        assertTrue(members.get(2).problem().contains("no spaces"), members.get(2).problem());

        // inbound on the canonical spelling is routed (a bare name in the member used to route one way only)
        b.publish(b.chat("@y", "bob", "from kosmi"));
        assertEquals(List.of("from kosmi"), texts(a.awaitAccepted(1)));
        a.publish(a.chat("x", "alice", "to kosmi"));
        Message out = b.awaitAccepted(1).get(0);
        assertEquals("@y", out.channel());
    }

    /** Bad input: empty and whitespace-only chat text. */
    @Test
    void emptyChatTextIsNotBridgedButCounted() {
        TestEndpoint a = endpoint("a", "channels");
        TestEndpoint b = endpoint("b", "kosmi");
        configure(Settings.of("g", "a:x inout", "b:y inout"));
        a.publish(a.chat("x", "alice", ""));
        a.publish(a.chat("x", "alice", "  \t"));
        a.publish(a.chat("x", "alice", "real"));
        assertEquals(List.of("[channels] <alice> real"), texts(b.awaitAccepted(1)));
        assertEquals(2, gateway("g").empty());
    }

    @Test
    void aRenamedSinkIsDeliveredUnderItsNewId() {
        TestEndpoint a = endpoint("a", "channels");
        TestEndpoint b = endpoint("b-old", "kosmi");
        configure(Settings.of("g", "a:x inout", "b-new:y inout").withNickFormat(""));
        a.publish(a.chat("x", "alice", "waits for b-new"));
        router.sinkUpdated("b-new", b.sink);
        assertEquals(List.of("waits for b-new"), texts(b.awaitAccepted(1)));
    }

    @Test
    void aRouterCreatedClosedSubscribesOnlyWhenOpened() {
        router.close();
        router = new Router(Router.DEFAULT_SEND_TIMEOUT, false);
        TestEndpoint a = endpoint("a", "channels");
        TestEndpoint b = endpoint("b", "kosmi");
        assertTrue(a.source.listeners.isEmpty(), "no subscription before the gateways are configured");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        router.open();
        a.publish(a.chat("x", "alice", "routed"));
        assertEquals(List.of("routed"), texts(b.awaitAccepted(1)));
    }

    /** The router's own update: what one router could not deliver, the next one delivers, in order and once. */
    @Test
    void whatAStoppingRouterHoldsTheNextOneDelivers(@TempDir Path folder) throws Exception {
        TestEndpoint a = endpoint("a", "channels");
        TestEndpoint b = endpoint("b", "kosmi");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        a.publish(a.chat("x", "alice", "delivered before"));
        assertEquals(List.of("delivered before"), texts(b.awaitAccepted(1)));
        router.sinkRemoved(b.sink);
        for (int i = 1; i <= 3; i++) {
            a.publish(a.chat("x", "alice", "held " + i).toBuilder().data(Map.of("n", i, "list", List.of("x"))).build());
        }
        Map<String, Map<String, List<Message>>> left = router.drainAndClose(Duration.ofMillis(200));
        Path file = folder.resolve("held.bin");
        HeldMessages.save(file, left);

        router = new Router(Router.DEFAULT_SEND_TIMEOUT, false);
        router.restore(HeldMessages.take(file));
        assertTrue(Files.notExists(file), "taken once");
        TestEndpoint b2 = endpoint("b", "kosmi");
        endpoint("a", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        router.open();
        List<Message> delivered = b2.awaitAccepted(3);
        assertEquals(List.of("held 1", "held 2", "held 3"), texts(delivered));
        assertEquals(Map.of("n", 1, "list", List.of("x")), delivered.get(0).data());
        assertEquals(0, b2.sink.accepted.size(), "nothing twice");
    }
}
