package dev.switchboard.router.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.MemberInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RobustnessTest extends RouterFixture {

    private final TestEndpoint a = endpoint("a", "kosmi");

    private void publish(String... texts) {
        for (String text : texts) {
            a.publish(a.chat("x", "alice", text));
        }
    }

    private static List<String> texts(List<Message> messages) {
        return messages.stream().map(Message::text).toList();
    }

    @Test
    void aMalformedMemberKeepsThatGatewayInactiveAndOthersRoute() {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("broken", "a:x inout", "b:y sideways"));
        configure(Settings.of("good", "a:x inout", "b:y inout").withNickFormat(""));

        GatewayInfo broken = gateway("broken");
        assertFalse(broken.active());
        assertTrue(broken.reason().contains("member 2 \"b:y sideways\" is malformed: unknown direction \"sideways\""),
                broken.reason());
        assertEquals(List.of(), broken.members());
        assertTrue(gateway("good").active());

        publish("1");
        assertEquals(List.of("1"), texts(b.awaitAccepted(1)));
        assertEquals(0, gateway("broken").routed());

        configure(Settings.of("broken", "a:x inout", "b:y out").withNickFormat("fixed: "));
        assertTrue(gateway("broken").active());
        publish("2");
        List<String> got = texts(b.awaitAccepted(2));
        assertTrue(got.containsAll(List.of("2", "fixed: 2")), got.toString());
    }

    @Test
    void aMalformedReconfigurationStopsRoutingButKeepsTheQueue() {
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("queued");
        configure(Settings.of("g", "a:x inout", "b-no-channel inout"));
        assertFalse(gateway("g").active());
        publish("not routed");
        assertEquals(1, queue("g", "b").queued());

        TestEndpoint b = endpoint("b", "channels");
        assertEquals(List.of("queued"), texts(b.awaitAccepted(1)));
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("routed again");
        assertEquals(List.of("routed again"), texts(b.awaitAccepted(1)));
    }

    @Test
    void aQueueCapacityBelowOneIsMalformed() {
        configure(Settings.of("g", "a:x inout", "b:y inout").withQueueCapacity(0));
        assertFalse(gateway("g").active());
        assertTrue(gateway("g").reason().contains("queueCapacity"));
    }

    @Test
    void aGatewayWithoutMembersIsInactive() {
        configure(Settings.of("g"));
        assertEquals("no members", gateway("g").reason());
    }

    @Test
    void aDisabledGatewayRoutesNothingUntilEnabled() {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat("").withEnabled(false));
        assertEquals("disabled", gateway("g").reason());
        assertEquals(2, gateway("g").members().size(), "a disabled gateway still lists its members");
        publish("dropped");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("routed");
        assertEquals(List.of("routed"), texts(b.awaitAccepted(1)));
        assertEquals(1, gateway("g").routed());
    }

    @Test
    void anUnknownEndpointIsWaitedForAndItsMessagesQueued() {
        configure(Settings.of("g", "a:x inout", "later:room inout").withNickFormat(""));
        GatewayInfo info = gateway("g");
        assertTrue(info.active());
        MemberInfo later = info.members().get(1);
        assertEquals("later", later.endpoint());
        assertFalse(later.sourcePresent());
        assertFalse(later.sinkPresent());
        assertTrue(info.members().get(0).sourcePresent());

        publish("waiting");
        assertEquals(1, queue("g", "later").queued());
        TestEndpoint arrives = endpoint("later", "tracker");
        assertEquals(List.of("waiting"), texts(arrives.awaitAccepted(1)));
        arrives.publish(arrives.chat("room", "lara", "hello a"));
        assertEquals(List.of("hello a"), texts(a.awaitAccepted(1)));
    }

    @Test
    void aSinkThatThrowsCountsAsFailedAndTheNextMessageIsDelivered() {
        TestEndpoint b = endpoint("b", "channels");
        AtomicInteger calls = new AtomicInteger();
        b.sink.answer = message -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("boom");
            }
            return CompletableFuture.completedFuture(null);
        };
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("thrown away", "delivered");
        assertEquals(List.of("delivered"), texts(b.awaitAccepted(1)));
        eventually("counted", () -> queue("g", "b").failed() == 1 && queue("g", "b").delivered() == 1);
    }

    @Test
    void aFailedStageCountsAsFailedAndTheNextMessageIsDelivered() {
        TestEndpoint b = endpoint("b", "channels");
        b.sink.answer = message -> message.text().equals("refused")
                ? CompletableFuture.failedFuture(new DeliveryException("b", "channel unknown"))
                : CompletableFuture.completedFuture(null);
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("refused", "refused", "accepted");
        assertEquals(List.of("accepted"), texts(b.awaitAccepted(1)));
        eventually("counted", () -> queue("g", "b").failed() == 2 && queue("g", "b").delivered() == 1);
        assertEquals(3, b.sink.attempts.size(), "failures are not retried");
    }

    @Test
    void aSinkReturningNoStageCountsAsFailed() {
        TestEndpoint b = endpoint("b", "channels");
        b.sink.answer = message -> message.text().equals("null") ? null : CompletableFuture.completedFuture(null);
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("null", "fine");
        assertEquals(List.of("fine"), texts(b.awaitAccepted(1)));
        eventually("counted", () -> queue("g", "b").failed() == 1);
    }

    @Test
    void aSinkThatNeverAnswersTimesOutAndTheNextMessageIsDelivered() {
        router.close();
        router = new Router(Duration.ofMillis(100));
        TestEndpoint source = endpoint("a", "kosmi");
        TestEndpoint b = endpoint("b", "channels");
        b.sink.answer = message -> message.text().equals("silence")
                ? new CompletableFuture<>()
                : CompletableFuture.completedFuture(null);
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        source.publish(source.chat("x", "alice", "silence"));
        source.publish(source.chat("x", "alice", "answered"));
        assertEquals(List.of("answered"), texts(b.awaitAccepted(1)));
        eventually("counted", () -> queue("g", "b").failed() == 1);
    }

    @Test
    void aSinkAwaitingItsAnswerHoldsBackNeitherTheGatewaysOtherSinksNorItsOwnOrder() throws InterruptedException {
        TestEndpoint slow = endpoint("b", "channels");
        TestEndpoint fast = endpoint("c", "tracker");
        CompletableFuture<Void> pending = new CompletableFuture<>();
        slow.sink.answer = message -> message.text().equals("1") ? pending : CompletableFuture.completedFuture(null);
        configure(Settings.of("g", "a:x inout", "b:y inout", "c:z inout").withNickFormat(""));
        publish("1", "2", "3");

        assertEquals(List.of("1", "2", "3"), texts(fast.awaitAccepted(3)));
        assertEquals("1", slow.sink.attempts.poll(TestEndpoint.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).text());
        assertNull(slow.sink.attempts.poll(50, TimeUnit.MILLISECONDS), "one message in flight per sink");
        pending.complete(null);
        assertEquals(List.of("1", "2", "3"), texts(slow.awaitAccepted(3)));
        eventually("counted", () -> queue("g", "b").delivered() == 3);
    }

    @Test
    void aSendFailingBecauseItsSinkLeftIsHeldForTheReturningSink() throws InterruptedException {
        TestEndpoint old = endpoint("b", "channels");
        CompletableFuture<Void> pending = new CompletableFuture<>();
        old.sink.answer = message -> pending;
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("in flight", "queued");
        assertNotNull(old.sink.attempts.poll(TestEndpoint.PATIENCE.toMillis(), TimeUnit.MILLISECONDS));

        router.sinkRemoved(old.sink);
        TestEndpoint redeployed = new TestEndpoint("b", "channels");
        router.sinkAdded("b", redeployed.sink);
        pending.completeExceptionally(new DeliveryException("b", "endpoint stopping"));

        assertEquals(List.of("in flight", "queued"), texts(redeployed.awaitAccepted(2)));
        eventually("delivered", () -> queue("g", "b").delivered() == 2);
        assertEquals(0, queue("g", "b").failed());
    }

    @Test
    void aSourceRefusingToSubscribeBreaksNothingElse() {
        TestEndpoint b = endpoint("b", "channels");
        router.sourceAdded("bad", "kosmi", listener -> {
            throw new IllegalStateException("not today");
        });
        configure(Settings.of("g", "a:x inout", "b:y inout", "bad:x inout").withNickFormat(""));
        assertFalse(gateway("g").members().get(2).sourcePresent());
        publish("still routed");
        assertEquals(List.of("still routed"), texts(b.awaitAccepted(1)));
    }

    @Test
    void aNullMessageIsIgnoredAndTheNextIsRouted() {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        a.publish(null);
        publish("after null");
        assertEquals(List.of("after null"), texts(b.awaitAccepted(1)));
    }

    @Test
    void aSourceCallingAfterItsSubscriptionClosedIsIgnoredAndAThrowingCloseIsContained() {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout", "rogue:x inout").withNickFormat(""));
        RogueSource rogue = new RogueSource();
        router.sourceAdded("rogue", "relay", rogue);
        rogue.keep.onMessage(Message.builder("rogue", "x").text("while subscribed").build());
        assertEquals(List.of("while subscribed"), texts(b.awaitAccepted(1)));

        router.sourceRemoved(rogue);
        rogue.keep.onMessage(Message.builder("rogue", "x").text("after close").build());
        publish("from a");
        assertEquals(List.of("from a"), texts(b.awaitAccepted(1)));
        assertEquals(2, gateway("g").routed());
    }

    @Test
    void servicesWithoutAnEndpointIdAreIgnored() {
        TestEndpoint nameless = new TestEndpoint("", "kosmi");
        router.sourceAdded(null, "kosmi", nameless.source);
        router.sinkAdded(null, nameless.sink);
        router.sinkRemoved(nameless.sink);
        router.sourceRemoved(nameless.source);
        assertTrue(nameless.source.listeners.isEmpty());
    }

    @Test
    void aSourceCallingFromSeveralThreadsAtOnceHasEveryMessageRoutedOnce() throws InterruptedException {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        List<Thread> publishers = IntStream.range(0, 4).mapToObj(t -> new Thread(() -> {
            for (int i = 0; i < 250; i++) {
                publish(t + "-" + i);
            }
        }, "test-publisher-" + t)).toList();
        publishers.forEach(Thread::start);
        for (Thread publisher : publishers) {
            publisher.join();
        }
        List<String> got = texts(b.awaitAccepted(1_000));
        assertEquals(1_000, Set.copyOf(got).size());
        assertEquals(1_000, gateway("g").routed());
        assertNull(b.sink.accepted.poll());
    }

    @Test
    void closingTheRouterEndsEveryThreadAndIgnoresLaterCalls() {
        configure(Settings.of("g1", "a:x inout", "b:y inout"));
        configure(Settings.of("g2", "a:x inout", "c:z inout", "d:w out"));
        publish("left behind");
        assertEquals(2, routerThreads().size(), "one per gateway: " + routerThreads());

        router.close();
        assertEquals(List.of(), routerThreads());
        assertTrue(a.source.listeners.isEmpty(), "unsubscribed");
        configure(Settings.of("g3", "a:x inout", "b:y inout"));
        router.sinkAdded("b", new TestEndpoint("b", "channels").sink);
        assertEquals(List.of(), router.gateways());
        assertEquals(List.of(), routerThreads());
    }

    /** A source that keeps its listener after the router closed the subscription, and throws on close. */
    private static final class RogueSource implements MessageSource {
        volatile dev.switchboard.api.MessageListener keep;

        @Override
        public Subscription subscribe(dev.switchboard.api.MessageListener listener) {
            keep = listener;
            return () -> {
                throw new IllegalStateException("close failed");
            };
        }
    }
}
