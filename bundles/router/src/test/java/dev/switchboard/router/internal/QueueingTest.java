package dev.switchboard.router.internal;

import dev.switchboard.api.Message;
import dev.switchboard.router.SinkInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueingTest extends RouterFixture {

    private final TestEndpoint a = endpoint("a", "kosmi");

    private List<String> publish(String... texts) {
        for (String text : texts) {
            a.publish(a.chat("x", "alice", text));
        }
        return List.of(texts);
    }

    private static List<String> texts(List<Message> messages) {
        return messages.stream().map(Message::text).toList();
    }

    @Test
    void holdsMessagesWhileTheSinkIsAbsentAndDeliversThemInOrderWhenItReturns() {
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        List<String> sent = publish("1", "2", "3");
        SinkInfo waiting = queue("g", "b");
        assertFalse(waiting.present());
        assertEquals(3, waiting.queued());

        TestEndpoint b = endpoint("b", "channels");
        assertEquals(sent, texts(b.awaitAccepted(3)));
        eventually("all delivered", () -> queue("g", "b").delivered() == 3 && queue("g", "b").queued() == 0);
    }

    @Test
    void holdsMessagesAcrossASinkRedeploy() {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("before");
        b.awaitAccepted(1);

        router.sinkRemoved(b.sink);
        router.sourceRemoved(b.source);
        publish("during 1", "during 2");
        assertEquals(2, queue("g", "b").queued());

        TestEndpoint redeployed = new TestEndpoint("b", "channels").attachTo(router);
        publish("after");
        assertEquals(List.of("during 1", "during 2", "after"), texts(redeployed.awaitAccepted(3)));
        assertTrue(b.sink.accepted.isEmpty(), "nothing went to the old sink after it left");
    }

    @Test
    void aNewerRegistrationOfTheSameEndpointTakesOverAndTheOlderLeavingChangesNothing() {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        TestEndpoint newer = new TestEndpoint("b", "channels").attachTo(router);
        router.sinkRemoved(b.sink);

        publish("to the newer");
        assertEquals(List.of("to the newer"), texts(newer.awaitAccepted(1)));
        assertTrue(b.sink.attempts.isEmpty());
    }

    @Test
    void whenFullDropsTheOldestCountsThemAndWarnsOncePerBurst() {
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat("").withQueueCapacity(3));
        SinkQueue queue = router.gateway("g").queue("b");

        publish("1", "2", "3", "4", "5");
        assertEquals(3, queue("g", "b").queued());
        assertEquals(2, queue("g", "b").dropped());
        assertEquals(1, queue.dropWarnings());
        publish("6", "7");
        assertEquals(4, queue("g", "b").dropped());
        assertEquals(1, queue.dropWarnings(), "still the same burst");

        TestEndpoint b = endpoint("b", "channels");
        assertEquals(List.of("5", "6", "7"), texts(b.awaitAccepted(3)));
        eventually("flushed", () -> queue("g", "b").delivered() == 3);

        router.sinkRemoved(b.sink);
        publish("8", "9", "10", "11");
        assertEquals(5, queue("g", "b").dropped());
        assertEquals(2, queue.dropWarnings(), "a new burst after the queue had room again");
    }

    @Test
    void liveReconfigurationKeepsEveryQueuedMessage() {
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat("old: "));
        publish("1", "2");
        SinkQueue before = router.gateway("g").queue("b");

        TestEndpoint c = endpoint("c", "tracker");
        configure(Settings.of("g", "a:x inout", "b:y inout", "c:z out").withNickFormat("new: ")
                .withQueueCapacity(500));
        assertEquals(2, queue("g", "b").queued());
        assertTrue(before == router.gateway("g").queue("b"), "the same queue lives on");
        publish("3");

        TestEndpoint b = endpoint("b", "channels");
        assertEquals(List.of("old: 1", "old: 2", "new: 3"), texts(b.awaitAccepted(3)));
        assertEquals(List.of("new: 3"), texts(c.awaitAccepted(1)));
    }

    @Test
    void renamingAGatewayKeepsItsQueuesAndRenamesItsThreads() {
        router.configure("pid-1", Settings.of("before", "a:x inout", "b:y inout").withNickFormat("").build());
        publish("1");
        router.configure("pid-1", Settings.of("after", "a:x inout", "b:y inout").withNickFormat("").build());

        assertEquals(1, queue("after", "b").queued());
        assertTrue(routerThreads().contains("switchboard-router-after"), routerThreads().toString());
        assertFalse(routerThreads().contains("switchboard-router-before"));
        assertEquals(List.of("1"), texts(endpoint("b", "channels").awaitAccepted(1)));
    }

    @Test
    void shrinkingTheCapacityDropsTheOldestQueued() {
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("1", "2", "3", "4");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat("").withQueueCapacity(2));
        assertEquals(2, queue("g", "b").queued());
        assertEquals(2, queue("g", "b").dropped());
        assertEquals(List.of("3", "4"), texts(endpoint("b", "channels").awaitAccepted(2)));
    }

    @Test
    void aRemovedMemberStillGetsWhatWasQueuedForItThenItsQueueEnds() {
        configure(Settings.of("g", "a:x inout", "b:y inout", "c:z inout").withNickFormat(""));
        publish("1", "2");
        configure(Settings.of("g", "a:x inout", "c:z inout").withNickFormat(""));
        publish("3");
        assertEquals(2, queue("g", "b").queued(), "b's queue is kept, without the new message");

        TestEndpoint b = endpoint("b", "channels");
        assertEquals(List.of("1", "2"), texts(b.awaitAccepted(2)));
        eventually("b's queue ends once drained",
                () -> router.gateway("g").queue("b") == null && routerThreads().equals(List.of("switchboard-router-g")));
    }

    @Test
    void aMemberRemovedAndAddedAgainBeforeItsQueueDrainedKeepsOneQueueInOrder() {
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("1");
        configure(Settings.of("g", "a:x inout", "c:z out").withNickFormat(""));
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        publish("2");
        assertEquals(List.of("1", "2"), texts(endpoint("b", "channels").awaitAccepted(2)));
    }

    @Test
    void removingAGatewayEndsItsThreadsAndLeavesOthersRunning() {
        configure(Settings.of("g1", "a:x inout", "b:y inout"));
        configure(Settings.of("g2", "a:x inout", "c:z inout"));
        publish("queued for b and c");

        router.remove("g1");
        assertFalse(routerThreads().contains("switchboard-router-g1"));
        assertTrue(routerThreads().contains("switchboard-router-g2"));
        assertEquals(List.of("g2"), router.gateways().stream().map(g -> g.name()).toList());
        assertEquals(1, endpoint("c", "tracker").awaitAccepted(1).size());
    }

    @Test
    void keepsOrderPerSourceWhenTheSinkAnswersLaterOnItsOwnThreads() {
        TestEndpoint b = endpoint("b", "channels");
        b.sink.answer = message -> CompletableFuture.runAsync(() -> { });
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        List<String> sent = IntStream.range(0, 2_000).mapToObj(Integer::toString).toList();
        sent.forEach(this::publish);
        assertEquals(sent, texts(b.awaitAccepted(sent.size())));
        eventually("all delivered", () -> queue("g", "b").delivered() == sent.size());
    }

    @Test
    void keepsOrderPerSourceWhileTheSinkComesAndGoes() throws InterruptedException {
        TestEndpoint b = endpoint("b", "channels");
        configure(Settings.of("g", "a:x inout", "b:y inout").withNickFormat(""));
        List<String> sent = IntStream.range(0, 2_000).mapToObj(Integer::toString).toList();
        Thread redeploys = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                router.sinkRemoved(b.sink);
                router.sinkAdded("b", b.sink);
            }
        }, "test-redeploys");
        redeploys.start();
        sent.forEach(this::publish);
        redeploys.join();
        assertEquals(sent, texts(b.awaitAccepted(sent.size())));
        assertNull(b.sink.accepted.poll());
    }
}
