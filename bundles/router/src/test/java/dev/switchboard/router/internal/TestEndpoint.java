package dev.switchboard.router.internal;

import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * An in-test endpoint: a source the test publishes into (on the calling thread) and a sink that
 * records what it accepted, with a pluggable answer per message.
 */
final class TestEndpoint {

    static final Duration PATIENCE = Duration.ofSeconds(10);

    final String id;
    final String protocol;
    final Source source = new Source();
    final Sink sink = new Sink();

    TestEndpoint(String id, String protocol) {
        this.id = id;
        this.protocol = protocol;
    }

    /** Registers both services with {@code router}, as the DS component would. */
    TestEndpoint attachTo(Router router) {
        router.sourceAdded(id, protocol, source);
        router.sinkAdded(id, sink);
        return this;
    }

    Message chat(String channel, String author, String text) {
        return Message.builder(id, channel).author(author, author).text(text).build();
    }

    void publish(Message message) {
        source.publish(message);
    }

    List<Message> awaitAccepted(int count) {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                Message next = sink.accepted.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(next, id + " accepted " + messages.size() + " messages, expected " + count);
                messages.add(next);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return messages;
    }

    static final class Source implements MessageSource {
        final List<MessageListener> listeners = new CopyOnWriteArrayList<>();

        @Override
        public Subscription subscribe(MessageListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        void publish(Message message) {
            listeners.forEach(listener -> listener.onMessage(message));
        }
    }

    static final class Sink implements MessageSink {
        final BlockingQueue<Message> attempts = new LinkedBlockingQueue<>();
        final BlockingQueue<Message> accepted = new LinkedBlockingQueue<>();
        volatile Function<Message, CompletionStage<Void>> answer = message -> CompletableFuture.completedFuture(null);

        @Override
        public CompletionStage<Void> send(Message message) {
            attempts.add(message);
            CompletionStage<Void> stage = answer.apply(message);
            // the router sees the stage that records first, so acceptance order is delivery order
            return stage == null ? null : stage.thenRun(() -> accepted.add(message));
        }
    }
}
