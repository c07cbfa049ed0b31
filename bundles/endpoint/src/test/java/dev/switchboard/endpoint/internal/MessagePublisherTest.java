package dev.switchboard.endpoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessagePublisherTest {

    /** Long enough never to be reached unless something hangs: a bound, not a timing assertion. */
    private static final long PATIENCE_SECONDS = 15;

    private final MessagePublisher publisher = new MessagePublisher("test", 10_000);
    private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        publisher.stop();
    }

    private static Message message(String text) {
        return Message.builder("test.endpoint", "room").text(text).build();
    }

    private Message next() throws InterruptedException {
        Message message = received.poll(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertNotNull(message, "a message within " + PATIENCE_SECONDS + "s");
        return message;
    }

    @Test
    void everyListenerGetsEachMessageOnTheNamedSourceThread() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        publisher.subscribe(message -> thread.set(Thread.currentThread().getName()));
        publisher.subscribe(received::add);
        publisher.start("ep1");
        assertTrue(publisher.running());
        Message hello = message("hello");
        assertTrue(publisher.publish(hello));
        assertEquals(hello, next());
        assertEquals("switchboard-test-ep1-source", thread.get());
        assertEquals(MessagePublisher.threadName("test", "ep1"), thread.get());
    }

    @Test
    void messagesArriveInTheOrderTheyWerePublished() throws Exception {
        publisher.subscribe(received::add);
        publisher.start("ep1");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String text = "m" + i;
            sent.add(text);
            if (i % 2 == 0) {
                assertTrue(publisher.publish(message(text)));
            } else {
                assertTrue(publisher.publish(() -> message(text)));
            }
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            got.add(next().text());
        }
        assertEquals(sent, got);
    }

    /** Bad input: a listener that throws; the others still get the message, and the next one. */
    @Test
    void aListenerThatThrowsIsCountedAndTheOthersStillGetTheMessage() throws Exception {
        publisher.subscribe(message -> {
            throw new IllegalStateException("listener bug");
        });
        publisher.subscribe(received::add);
        publisher.start("ep1");
        publisher.publish(message("one"));
        publisher.publish(message("two"));
        assertEquals("one", next().text());
        assertEquals("two", next().text());
        assertEquals(2, publisher.listenerFailures());
        assertEquals(0, publisher.dropped());
    }

    @Test
    void aFullQueueDropsAndCountsTheMessage() throws Exception {
        MessagePublisher small = new MessagePublisher("test", 2);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        small.subscribe(message -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            received.add(message);
        });
        small.start("ep1");
        try {
            assertTrue(small.publish(message("taken")));
            assertTrue(entered.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "the listener holds the source thread");
            assertTrue(small.publish(message("queued 1")));
            assertTrue(small.publish(() -> message("queued 2")));
            assertFalse(small.publish(message("dropped")));
            assertFalse(small.publish(() -> message("dropped too")));
            assertEquals(2, small.dropped());
            release.countDown();
            assertEquals("taken", next().text());
            assertEquals("queued 1", next().text());
            assertEquals("queued 2", next().text());
            assertTrue(small.publish(message("room again")));
            assertEquals("room again", next().text());
            assertEquals(2, small.dropped());
        } finally {
            release.countDown();
            small.stop();
        }
    }

    /** While the router is away (nobody subscribed) messages are held and handed to the next listener in order. */
    @Test
    void messagesWithoutListenersAreHeldForTheNextOneInOrder() throws Exception {
        publisher.start("ep1");
        Subscription first = publisher.subscribe(received::add);
        assertTrue(publisher.publish(message("one")));
        assertEquals("one", next().text());
        first.close();
        assertTrue(publisher.publish(message("two")));
        assertTrue(publisher.publish(() -> message("three")));
        Await.until("both held", () -> publisher.held() == 2);
        assertTrue(received.isEmpty(), "nobody subscribed: nothing delivered");
        publisher.subscribe(received::add);
        assertEquals("two", next().text());
        assertEquals("three", next().text());
        assertTrue(publisher.publish(message("four")));
        assertEquals("four", next().text());
        assertEquals(0, publisher.dropped());
    }

    /** Bad input: more than the limit published while nobody listens: the oldest are dropped and counted. */
    @Test
    void heldMessagesAreBoundedOldestDropped() throws Exception {
        MessagePublisher small = new MessagePublisher("test", 3);
        small.start("ep2");
        try {
            for (int i = 1; i <= 5; i++) {
                assertTrue(small.publish(message("m" + i)));
                int published = i;
                Await.until("m" + i + " held or dropped", () -> small.held() + small.dropped() == published);
            }
            Await.until("two dropped", () -> small.dropped() == 2);
            List<String> texts = new java.util.concurrent.CopyOnWriteArrayList<>();
            small.subscribe(m -> texts.add(m.text()));
            Await.until("three delivered", () -> texts.size() == 3);
            assertEquals(List.of("m3", "m4", "m5"), texts);
        } finally {
            small.stop();
        }
    }

    /** Nothing before the first start; after a stop, a late message of the closing protocol is delivered, not lost. */
    @Test
    void nothingBeforeStartLateMessagesAfterStop() throws Exception {
        assertFalse(publisher.running());
        publisher.subscribe(received::add);
        assertFalse(publisher.publish(message("before start")));
        publisher.start("ep1");
        publisher.stop();
        assertTrue(publisher.publish(message("late")), "a late message of a closing protocol still reaches the listener");
        assertEquals("late", next().text());
        assertEquals(0, publisher.dropped(), "not kept before the start is not dropped");
        publisher.start("ep1");
        assertTrue(publisher.publish(message("started again")));
        assertEquals("started again", next().text());
        assertTrue(received.isEmpty());
    }

    @Test
    void aSupplierThatGivesNullDeliversNothing() throws Exception {
        publisher.subscribe(received::add);
        publisher.start("ep1");
        assertTrue(publisher.publish(() -> null));
        assertTrue(publisher.publish(message("after nothing")));
        assertEquals("after nothing", next().text());
        assertEquals(0, publisher.listenerFailures());
    }

    @Test
    void stopDeliversWhatIsQueuedAndLeavesNoThread() throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        publisher.subscribe(message -> {
            thread.set(Thread.currentThread());
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            received.add(message);
        });
        publisher.start("ep1");
        publisher.publish(message("in flight"));
        publisher.publish(message("queued"));
        publisher.stop();
        assertFalse(publisher.running());
        release.countDown();
        assertEquals("in flight", next().text());
        assertEquals("queued", next().text());
        Thread source = thread.get();
        source.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        assertFalse(source.isAlive(), "the source thread ended");
    }

    @Test
    void aRestartNamesTheThreadForTheNewId() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        publisher.subscribe(message -> {
            thread.set(Thread.currentThread().getName());
            received.add(message);
        });
        publisher.start("old");
        publisher.publish(message("one"));
        next();
        assertEquals("switchboard-test-old-source", thread.get());
        publisher.start("new");
        publisher.publish(message("two"));
        next();
        assertEquals("switchboard-test-new-source", thread.get());
    }

    /** Bad input: no queue at all. */
    @Test
    void theQueueLimitMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new MessagePublisher("test", 0));
    }
}
