package dev.switchboard.kosmi.internal;

import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.kosmi.internal.KosmiCodec.NewMessage;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketTransport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kosmi account on transport's reconnecting WebSocket client: every connection runs a
 * {@link GraphqlWsSession} with the account's token ({@link KosmiLogin}), and once acknowledged
 * its {@link KosmiRooms}. A connection opened without a token logs in first; a failed login drops
 * the connection, so logins are retried on the transport's backoff. Close codes 4401/4403 forget
 * the token and log in again at once, connecting as soon as that worked; 4429 waits the longest
 * backoff; every other close reconnects on the transport's schedule.
 */
final class KosmiClient implements ClientHandler, GraphqlWsSession.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(KosmiClient.class);

    /** Sent bodies remembered for echo suppression. */
    private static final int ECHO_LIMIT = 1024;
    /** An attempt number far enough along that {@link dev.switchboard.transport.Backoff#delay} is its longest wait. */
    private static final int CEILING_ATTEMPT = 64;
    /** How long a stop waits for Kosmi to answer the sends under way. */
    static final Duration STOP_PATIENCE = Duration.ofSeconds(3);
    /** How long a stop waits for Kosmi's answer to our Close; the transport gives up after 5 s. */
    private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(6);

    /** What the client tells its endpoint. */
    interface Events {
        /** A room message from someone else, on a protocol thread, in arrival order. */
        void received(String room, NewMessage message);

        void status(State state, Detail detail, String reason);
    }

    private final WebSocketTransport transport;
    private final KosmiSettings settings;
    private final KosmiCodec codec;
    private final KosmiLogin login;
    private final GraphqlWsSession.Timers timers;
    private final Events events;
    private final EchoFilter echoes = new EchoFilter(ECHO_LIMIT);
    private final KosmiRooms.Counters counters = new KosmiRooms.Counters();
    private final ConnectionStatus status;

    // guarded by this
    private WebSocketClient socket;
    private GraphqlWsSession session;
    private KosmiRooms rooms;
    private boolean loggingIn;
    private boolean closed;
    /** Set while {@link #close} waits for Kosmi to answer its Close; counted down by onClose. */
    private CountDownLatch closing;

    KosmiClient(WebSocketTransport transport, KosmiSettings settings, TokenStore tokens, GraphqlWsSession.Timers timers,
                Events events) {
        this.transport = transport;
        this.settings = settings;
        this.codec = new KosmiCodec(settings.maxMessageBytes());
        this.login = new KosmiLogin(settings, codec, tokens);
        this.timers = timers;
        this.events = events;
        this.status = new ConnectionStatus(events);
    }

    /** Starts connecting in the background; returns at once. */
    synchronized void start() {
        if (!settings.token().isEmpty()) {
            LOG.info("{}: using the configured token", settings.id());
        } else if (login.token() != null) {
            LOG.info("{}: reusing the stored Kosmi token", settings.id());
        }
        status.progress("connecting to " + settings.webSocketUri());
        socket = transport.connect(settings.clientSpec(), this);
    }

    // --- connection ---------------------------------------------------------------------------

    @Override
    public void onOpen(WebSocketConnection connection) {
        GraphqlWsSession opened = new GraphqlWsSession(settings, connection, codec, timers, this);
        String token;
        synchronized (this) {
            if (closed) {
                return;
            }
            session = opened;
            rooms = null;
            token = login.token();
            if (token == null) {
                status.progress("connected; logging in at " + settings.graphqlUri());
                logIn();
                return;
            }
            status.progress("awaiting connection_ack");
        }
        opened.init(token);
    }

    // guarded by this
    private void logIn() {
        if (!loggingIn) {
            loggingIn = true;
            login.login().whenComplete(this::loggedIn);
        }
    }

    private void loggedIn(String token, Throwable error) {
        GraphqlWsSession waiting;
        synchronized (this) {
            loggingIn = false;
            if (closed) {
                return;
            }
            waiting = session != null && session.token() == null ? session : null;
            if (error != null) {
                counters.errors().increment();
                String why = "login failed: " + error.getMessage();
                if (error instanceof KosmiLogin.LoginException failure && failure.refused()) {
                    why = "login refused: " + error.getMessage();
                    status.trouble(State.OFFLINE, Detail.AUTHENTICATION_FAILED, why);
                } else {
                    status.retrying(why);
                }
                LOG.warn("{}: login at {} failed: {}", settings.id(), settings.graphqlUri(), error.getMessage());
                if (waiting != null) {
                    // the next connection logs in again, on the transport's backoff
                    waiting.drop(why);
                }
                return;
            }
            LOG.info("{}: logged in to Kosmi anonymously", settings.id());
            if (waiting == null && session == null) {
                // the connection was lost meanwhile (a rejected token): connect now, not on the backoff
                socket.reconnectNow("logged in");
                return;
            }
        }
        if (waiting != null) {
            status.progress("awaiting connection_ack");
            waiting.init(token);
        }
    }

    @Override
    public void acknowledged(GraphqlWsSession acked) {
        KosmiRooms joining;
        synchronized (this) {
            if (closed || session != acked) {
                return;
            }
            login.accepted(acked.token());
            status.cleared();
            joining = new KosmiRooms(settings, acked, codec, echoes, timers, events, counters);
            rooms = joining;
        }
        joining.start();
    }

    @Override
    public void failed(GraphqlWsSession failing, String why) {
        counters.errors().increment();
        LOG.warn("{}: {}; reconnecting", settings.id(), why);
        synchronized (this) {
            if (session == failing) {
                status.retrying(why);
            }
        }
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        GraphqlWsSession current;
        synchronized (this) {
            current = session;
        }
        if (current != null && current.connection() == connection) {
            current.received(text);
        }
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        GraphqlWsSession ended;
        KosmiRooms left;
        synchronized (this) {
            if (closing != null) {
                closing.countDown();
                return;
            }
            if (closed || session == null || session.connection() != connection) {
                return;
            }
            ended = session;
            left = rooms;
            session = null;
            rooms = null;
        }
        ended.ended();
        if (left != null) {
            left.ended("connection closed (" + code + ") before Kosmi answered");
        }
        synchronized (this) {
            if (!closed) {
                closed(ended, code, reason);
            }
        }
    }

    // guarded by this
    private void closed(GraphqlWsSession ended, int code, String reason) {
        String description = ended.closeReason() != null ? ended.closeReason()
                : "closed with code " + code + " (" + GraphqlWsSession.meaning(code) + ")";
        String peerReason = reason == null || reason.isBlank() ? "" : " \"" + reason + "\"";
        switch (code) {
            case 4401, 4403 -> {
                String rejected = ended.token();
                boolean fresh = login.unproven(rejected);
                login.reject(rejected);
                if (fresh) {
                    // the token a login has just issued: logging in again at once would only repeat this
                    String why = "Kosmi refused the token its login issued: " + description;
                    LOG.warn("{}: {}{}; retrying on the backoff", settings.id(), why, peerReason);
                    status.trouble(State.OFFLINE, Detail.AUTHENTICATION_FAILED, why);
                    return;
                }
                LOG.warn("{}: {}{}: Kosmi rejected the token; logging in again", settings.id(), description,
                        peerReason);
                logIn();
            }
            case 4429 -> {
                Duration delay = settings.backoff().delay(CEILING_ATTEMPT, ThreadLocalRandom.current()::nextDouble);
                LOG.warn("{}: {}{}: backing off {} ms", settings.id(), description, peerReason, delay.toMillis());
                status.retrying(description + "; backing off");
                socket.reconnectNotBefore(delay, description);
                return;
            }
            default -> {
                if (ended.closeReason() == null) {
                    LOG.warn("{}: {}{}; reconnecting", settings.id(), description, peerReason);
                } else if (status.troubled()) {
                    // this side closed for trouble the status already names (no ack, a failed login)
                    return;
                }
            }
        }
        status.retrying(description);
    }

    @Override
    public synchronized void onRetryScheduled(int attempt, Duration delay, String reason) {
        if (closed || socket == null) {
            return;
        }
        status.retryScheduled(attempt, delay, reason);
    }

    @Override
    public void onError(WebSocketConnection connection, Throwable error) {
        counters.errors().increment();
    }

    // --- sending ------------------------------------------------------------------------------

    /**
     * Sends {@code body} into {@code room}: an {@link EndpointUnavailableException} while not
     * connected, otherwise as {@link KosmiRooms#send}.
     */
    CompletableFuture<Void> send(String room, String body) {
        KosmiRooms current;
        synchronized (this) {
            current = closed ? null : rooms;
        }
        if (current == null) {
            return CompletableFuture.failedFuture(new EndpointUnavailableException(settings.id(),
                    "not connected: " + status.reason()));
        }
        return current.send(room, body);
    }

    // --- figures ------------------------------------------------------------------------------

    long errors() {
        return counters.errors().sum();
    }

    synchronized ConnectionMetrics.Snapshot transportMetrics() {
        return socket == null ? ConnectionMetrics.ZERO : socket.metrics().snapshot();
    }

    synchronized Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rooms", settings.rooms());
        details.put("joined", rooms == null ? List.of() : rooms.joined());
        details.put("logins", login.logins());
        details.put("sendTimeouts", counters.sendTimeouts().sum());
        details.put("webSocketUrl", settings.webSocketUri().toString());
        return details;
    }

    // --- lifecycle ----------------------------------------------------------------------------

    /**
     * Closes the connection, if one is open, and waits until Kosmi answered the Close: a room
     * message Kosmi wrote before it read our Close still arrives and is published (Kosmi replays
     * nothing). At most the transport's linger time.
     */
    private void awaitSocketClosed() {
        WebSocketClient open;
        CountDownLatch answered = new CountDownLatch(1);
        synchronized (this) {
            if (closed || closing != null || socket == null || socket.connection().isEmpty()) {
                return;
            }
            closing = answered;
            open = socket;
        }
        open.close();
        try {
            if (!answered.await(CLOSE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.debug("{}: Kosmi did not answer our Close within {}", settings.id(), CLOSE_PATIENCE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes the WebSocket with 1000 and ends the login's threads, after Kosmi has answered the
     * sends under way (at most {@link #STOP_PATIENCE}); sends still waiting then fail. Idempotent.
     */
    void close() {
        KosmiRooms answering;
        synchronized (this) {
            answering = closed ? null : rooms;
        }
        if (answering != null) {
            answering.awaitAnswers(STOP_PATIENCE);
        }
        awaitSocketClosed();
        WebSocketClient open;
        GraphqlWsSession ended;
        KosmiRooms left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = socket;
            socket = null;
            ended = session;
            left = rooms;
            session = null;
            rooms = null;
        }
        if (ended != null) {
            ended.ended();
        }
        if (left != null) {
            left.ended("endpoint stopped");
        }
        if (open != null) {
            open.close();
        }
        login.close();
    }
}
