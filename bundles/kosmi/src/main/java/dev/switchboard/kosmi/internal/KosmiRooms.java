package dev.switchboard.kosmi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.kosmi.internal.KosmiCodec.Document;
import dev.switchboard.kosmi.internal.KosmiCodec.NewMessage;
import dev.switchboard.transport.JsonResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms on one acknowledged session: subscribes to {@code OnNewMessage} and runs
 * {@code JoinRoom} for every room (without joining, the subscription receives nothing), hands
 * their messages (less the echoes of its own) to the client's events, and sends with
 * {@code SendMessage}, each send answered once: by Kosmi, by its timeout, or by the end of the
 * session. Online once every room's join is answered and at least one room is joined and
 * subscribed. Thread-safe; completes no future and reports no status while holding its lock
 * except the room summary.
 */
final class KosmiRooms {

    private static final Logger LOG = LoggerFactory.getLogger(KosmiRooms.class);

    /** The account's counters, kept across sessions: protocol errors, and sends Kosmi left unanswered. */
    record Counters(LongAdder errors, LongAdder sendTimeouts) {
        Counters() {
            this(new LongAdder(), new LongAdder());
        }
    }

    private final KosmiSettings settings;
    private final GraphqlWsSession session;
    private final KosmiCodec codec;
    private final EchoFilter echoes;
    private final GraphqlWsSession.Timers timers;
    private final KosmiClient.Events events;
    private final Counters counters;

    // guarded by this
    private final Set<String> answered = new HashSet<>();
    private final Set<String> joined = new LinkedHashSet<>();
    private final Map<String, String> failed = new LinkedHashMap<>();
    private final Set<Send> sends = new HashSet<>();
    private boolean online;
    private boolean ended;

    KosmiRooms(KosmiSettings settings, GraphqlWsSession session, KosmiCodec codec, EchoFilter echoes,
               GraphqlWsSession.Timers timers, KosmiClient.Events events, Counters counters) {
        this.settings = settings;
        this.session = session;
        this.codec = codec;
        this.echoes = echoes;
        this.timers = timers;
        this.events = events;
        this.counters = counters;
    }

    /** Sets the display name, then subscribes to and joins every room. */
    void start() {
        LOG.info("{}: connection acknowledged; subscribing to and joining {}", settings.id(), settings.rooms());
        events.status(State.CONNECTING, Detail.NONE, "joining " + String.join(", ", settings.rooms()));
        if (!settings.displayName().isEmpty()) {
            session.subscribe(Document.SET_DISPLAY_NAME, Map.of("displayName", settings.displayName()),
                    new DisplayName());
        }
        for (String room : settings.rooms()) {
            session.subscribe(Document.ON_NEW_MESSAGE, Map.of("roomId", room), new Subscription(room));
            session.subscribe(Document.JOIN_ROOM, Map.of("id", room), new Join(room));
        }
    }

    synchronized List<String> joined() {
        return List.copyOf(joined);
    }

    // --- rooms --------------------------------------------------------------------------------

    private synchronized void answered(String room, String failure) {
        answered.add(room);
        if (failure == null) {
            joined.add(room);
            LOG.info("{}: joined room {}", settings.id(), room);
        } else {
            failed.put(room, failure);
            LOG.warn("{}: room {}: {}; the next reconnect tries again", settings.id(), room, failure);
        }
        summarise();
    }

    private synchronized void roomFailed(String room, String why) {
        failed.put(room, why);
        LOG.warn("{}: room {}: {}; the next reconnect tries again", settings.id(), room, why);
        summarise();
    }

    // guarded by this
    private void summarise() {
        if (ended || answered.size() < settings.rooms().size()) {
            return;
        }
        List<String> live = joined.stream().filter(room -> !failed.containsKey(room)).toList();
        List<String> failures = failed.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
        String trouble = failures.isEmpty() ? "" : "; " + String.join("; ", failures);
        if (live.isEmpty()) {
            online = false;
            // the rooms as configured cannot be used: a name Kosmi does not know, or none that lets us in
            events.status(State.OFFLINE, Detail.CONFIGURATION_ERROR, "no room joined" + trouble);
            return;
        }
        events.status(State.ONLINE, Detail.NONE, "joined " + String.join(", ", live) + trouble);
        if (!online) {
            online = true;
            LOG.info("{}: online in {}", settings.id(), String.join(", ", live));
        }
    }

    private final class Subscription implements GraphqlWsSession.Operation {
        private final String room;

        Subscription(String room) {
            this.room = room;
        }

        @Override
        public void next(JsonNode payload) {
            JsonResult<NewMessage> parsed = codec.newMessage(payload);
            if (parsed instanceof JsonResult.Ok<NewMessage> ok) {
                if (echoes.consume(room, ok.value().body())) {
                    LOG.debug("{}: dropped the echo of our own message in {}", settings.id(), room);
                } else {
                    events.received(room, ok.value());
                }
            } else {
                counters.errors().increment();
                LOG.warn("{}: malformed newMessage in {} skipped: {}", settings.id(), room,
                        ((JsonResult.Error<NewMessage>) parsed).message());
            }
        }

        @Override
        public void error(String message) {
            counters.errors().increment();
            roomFailed(room, "subscription refused: " + message);
        }

        @Override
        public void complete() {
            roomFailed(room, "subscription ended by Kosmi");
        }
    }

    private final class Join implements GraphqlWsSession.Operation {
        private final String room;

        Join(String room) {
            this.room = room;
        }

        @Override
        public void next(JsonNode payload) {
            String failure = codec.mutationFailure(payload, Document.JOIN_ROOM);
            answered(room, failure == null ? null : "join refused: " + failure);
        }

        @Override
        public void error(String message) {
            counters.errors().increment();
            answered(room, "join refused: " + message);
        }

        @Override
        public void complete() {
            // the answer came with next
        }
    }

    private final class DisplayName implements GraphqlWsSession.Operation {
        @Override
        public void next(JsonNode payload) {
            String failure = codec.mutationFailure(payload, Document.SET_DISPLAY_NAME);
            if (failure == null) {
                LOG.info("{}: display name set to {}", settings.id(), settings.displayName());
            } else {
                LOG.warn("{}: display name not set: {}", settings.id(), failure);
            }
        }

        @Override
        public void error(String message) {
            counters.errors().increment();
            LOG.warn("{}: display name not set: {}", settings.id(), message);
        }

        @Override
        public void complete() {
            // the answer came with next
        }
    }

    // --- sending ------------------------------------------------------------------------------

    /**
     * Sends {@code body} into {@code room}: completes on Kosmi's {@code ok}; fails with an
     * {@link EndpointUnavailableException} while the room is still being joined, otherwise with a
     * {@link DeliveryException} saying why.
     */
    CompletableFuture<Void> send(String room, String body) {
        Send send = new Send(room, body);
        synchronized (this) {
            if (ended) {
                return CompletableFuture.failedFuture(new EndpointUnavailableException(settings.id(),
                        "not connected: the connection closed"));
            }
            if (!settings.rooms().contains(room)) {
                return CompletableFuture.failedFuture(new DeliveryException(settings.id(),
                        "room " + room + " is not one of " + settings.rooms()));
            }
            if (failed.containsKey(room)) {
                return CompletableFuture.failedFuture(new DeliveryException(settings.id(),
                        "room " + room + " is not joined: " + failed.get(room)));
            }
            if (!joined.contains(room)) {
                return CompletableFuture.failedFuture(new EndpointUnavailableException(settings.id(),
                        "room " + room + " is not joined yet"));
            }
            sends.add(send);
            echoes.expect(room, body);
        }
        send.timer = timers.schedule(settings.sendTimeout(), send::timedOut);
        send.id = session.subscribe(Document.SEND_MESSAGE, Map.of("body", body, "roomId", room), send);
        if (send.id == null) {
            send.fail(new EndpointUnavailableException(settings.id(), "not connected: the connection closed"));
        }
        return send.done;
    }

    /**
     * Waits, at most {@code patience}, until every send under way has its answer: a planned stop
     * (a redeploy) lets Kosmi answer what it was sent, so those messages are neither lost nor sent
     * twice. Returns at once when nothing is under way.
     */
    void awaitAnswers(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        synchronized (this) {
            while (!sends.isEmpty() && !ended && System.nanoTime() - deadline < 0) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * The session is over: no answer comes any more; every send still waiting fails with {@code why}
     * as "not now", so that the router sends it again once connected (Kosmi drops a SendMessage that
     * reaches a connection it is closing).
     */
    void ended(String why) {
        List<Send> waiting;
        synchronized (this) {
            ended = true;
            waiting = new ArrayList<>(sends);
        }
        waiting.forEach(send -> send.fail(new EndpointUnavailableException(settings.id(), why)));
    }

    /** One SendMessage: answered exactly once, whoever comes first; the others find it done. */
    private final class Send implements GraphqlWsSession.Operation {
        final String room;
        final String body;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile Future<?> timer;
        volatile String id;

        Send(String room, String body) {
            this.room = room;
            this.body = body;
        }

        @Override
        public void next(JsonNode payload) {
            String failure = codec.mutationFailure(payload, Document.SEND_MESSAGE);
            if (failure == null) {
                finish(null, false);
            } else {
                fail(new DeliveryException(settings.id(), "Kosmi refused the message: " + failure));
            }
        }

        @Override
        public void error(String message) {
            fail(new DeliveryException(settings.id(), "Kosmi refused the message: " + message));
        }

        @Override
        public void complete() {
            fail(new DeliveryException(settings.id(), "SendMessage completed without an answer"));
        }

        void timedOut() {
            finish(new DeliveryException(settings.id(), "no answer from Kosmi within "
                    + settings.sendTimeout().toMillis() + " ms"), true);
        }

        void fail(DeliveryException why) {
            finish(why, false);
        }

        private void finish(DeliveryException failure, boolean timedOut) {
            synchronized (KosmiRooms.this) {
                if (!sends.remove(this)) {
                    return;
                }
                KosmiRooms.this.notifyAll();
            }
            if (timedOut) {
                counters.sendTimeouts().increment();
            }
            Future<?> pending = timer;
            if (pending != null) {
                pending.cancel(false);
            }
            if (id != null) {
                session.forget(id);
            }
            if (failure == null) {
                done.complete(null);
            } else {
                echoes.consume(room, body);
                LOG.warn("{}: message to {} not sent: {}", settings.id(), room, failure.getMessage());
                done.completeExceptionally(failure);
            }
        }
    }
}
