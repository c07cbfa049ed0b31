package dev.switchboard.kosmi.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.kosmi.internal.KosmiCodec.Document;
import dev.switchboard.kosmi.internal.KosmiCodec.NewMessage;
import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.JsonResult;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kosmi account: the anonymous HTTP login, then the graphql-transport-ws state machine over
 * transport's reconnecting client. Each connection runs {@code connection_init} (waiting at most
 * the ack timeout for {@code connection_ack}), then subscribes to {@code OnNewMessage} and runs
 * {@code JoinRoom} for every room; a reconnect starts that over. Close codes 4401/4403 log in
 * again, 4429 waits the longest backoff, every other close reconnects on transport's schedule.
 *
 * <p>Never blocks a caller on the network. Futures are completed and messages handed to the
 * {@link Inbox} outside the client's lock.
 */
final class KosmiClient implements ClientHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KosmiClient.class);

    /** Sent bodies remembered for echo suppression. */
    private static final int ECHO_LIMIT = 1024;
    /** An attempt number far enough along that {@link Backoff#delay} is its longest wait. */
    private static final int CEILING_ATTEMPT = 64;

    /** Receives the messages of the rooms, in arrival order, on a protocol thread. */
    @FunctionalInterface
    interface Inbox {
        void received(String room, NewMessage message);
    }

    /**
     * @param rooms        room ids with their {@code @}, see {@link RoomId}
     * @param token        a configured token used before any stored one; blank for anonymous login
     * @param displayName  set with {@code SetDisplayName} after each {@code connection_ack}; blank leaves Kosmi's
     * @param appVersion   the {@code v} of {@code connection_init}
     * @param keepalive    graphql-transport-ws {@code ping} period; a ping unanswered by the next one reconnects;
     *                     zero disables
     */
    record Settings(String id, List<String> rooms, URI graphqlUri, URI webSocketUri, String token,
                    String displayName, String userAgent, String origin, String appVersion, Duration loginTimeout,
                    Duration ackTimeout, Duration sendTimeout, Duration keepalive, Backoff backoff,
                    int maxMessageBytes) {

        Settings {
            Objects.requireNonNull(id, "id");
            rooms = List.copyOf(rooms);
            token = token == null ? "" : token.trim();
            displayName = displayName == null ? "" : displayName.trim();
        }

        /** Settings for tests against a loopback Kosmi: short timeouts and backoff. */
        static Settings loopback(String id, String graphqlUrl, String webSocketUrl, List<String> rooms) {
            return new Settings(id, rooms, URI.create(graphqlUrl), URI.create(webSocketUrl), "", "",
                    "Mozilla/5.0 (X11; Linux x86_64) Switchboard", "https://app.kosmi.io", "4364",
                    Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
                    new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 0.2), 1 << 20);
        }

        Settings withDisplayName(String value) {
            return new Settings(id, rooms, graphqlUri, webSocketUri, token, value, userAgent, origin, appVersion,
                    loginTimeout, ackTimeout, sendTimeout, keepalive, backoff, maxMessageBytes);
        }

        Settings withAckTimeout(Duration value) {
            return new Settings(id, rooms, graphqlUri, webSocketUri, token, displayName, userAgent, origin, appVersion,
                    loginTimeout, value, sendTimeout, keepalive, backoff, maxMessageBytes);
        }

        Settings withKeepalive(Duration value) {
            return new Settings(id, rooms, graphqlUri, webSocketUri, token, displayName, userAgent, origin, appVersion,
                    loginTimeout, ackTimeout, sendTimeout, value, backoff, maxMessageBytes);
        }
    }

    private enum Kind { SUBSCRIPTION, JOIN, SEND, DISPLAY_NAME }

    private record Operation(Kind kind, String room, String body, CompletableFuture<Void> sent) {
    }

    /** One connection's protocol state; replaced on every (re)connect. */
    private static final class Session {
        final WebSocketConnection connection;
        final Map<String, Operation> operations = new HashMap<>();
        final Set<String> answered = new LinkedHashSet<>();
        final Set<String> joined = new LinkedHashSet<>();
        final Map<String, String> failed = new LinkedHashMap<>();
        boolean initSent;
        boolean acked;
        boolean online;
        boolean pingUnanswered;
        /** Why this side ended the connection, when it did (ack timeout, invalid message, no pong). */
        String closeReason;
        ScheduledFuture<?> ackTimer;
        ScheduledFuture<?> keepalive;

        Session(WebSocketConnection connection) {
            this.connection = connection;
        }

        void cancelTimers() {
            if (ackTimer != null) {
                ackTimer.cancel(false);
            }
            if (keepalive != null) {
                keepalive.cancel(false);
            }
        }
    }

    private final WebSocketTransport transport;
    private final Settings settings;
    private final TokenStore tokens;
    private final Inbox inbox;
    private final KosmiCodec codec;
    private final EchoFilter echoes = new EchoFilter(ECHO_LIMIT);
    private final ScheduledExecutorService scheduler;
    private final HttpClient http;
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder logins = new LongAdder();
    private volatile EndpointStatus status = EndpointStatus.connecting("starting");

    // guarded by this
    private WebSocketClient socket;
    private ConnectionMetrics.Snapshot retired = ConnectionMetrics.ZERO;
    private Session session;
    private String token;
    private boolean loginInFlight;
    private int loginFailures;
    private long operationIds;
    private String lastFailure;
    private ScheduledFuture<?> pending;
    private boolean closed;

    KosmiClient(WebSocketTransport transport, Settings settings, TokenStore tokens, Inbox inbox) {
        this.transport = transport;
        this.settings = settings;
        this.tokens = tokens;
        this.inbox = inbox;
        this.codec = new KosmiCodec(settings.maxMessageBytes());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "switchboard-kosmi-" + settings.id());
            thread.setDaemon(true);
            return thread;
        });
        // the login's callbacks run on our own thread, which close() ends
        this.http = HttpClient.newBuilder().executor(scheduler).connectTimeout(settings.loginTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Logs in (unless a token is configured or stored) and connects, in the background. */
    synchronized void start() {
        if (!settings.token().isEmpty()) {
            token = settings.token();
            LOG.info("{}: using the configured token", settings.id());
        } else {
            token = tokens.load().orElse(null);
            if (token != null) {
                LOG.info("{}: reusing the stored Kosmi token", settings.id());
            }
        }
        if (token == null) {
            login();
        } else {
            openSocket();
        }
    }

    EndpointStatus status() {
        return status;
    }

    // --- login --------------------------------------------------------------------------------

    // guarded by this
    private void login() {
        if (closed || loginInFlight) {
            return;
        }
        loginInFlight = true;
        status = EndpointStatus.connecting("logging in at " + settings.graphqlUri());
        HttpRequest request = HttpRequest.newBuilder(settings.graphqlUri())
                .timeout(settings.loginTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Origin", settings.origin())
                .header("User-Agent", settings.userAgent())
                .POST(HttpRequest.BodyPublishers.ofString(codec.loginRequest()))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete(this::loginAnswered);
    }

    private void loginAnswered(HttpResponse<String> response, Throwable error) {
        String failure = null;
        String issued = null;
        if (error != null) {
            failure = rootMessage(error);
        } else if (response.statusCode() != 200) {
            failure = "HTTP " + response.statusCode();
        } else if (codec.loginToken(response.body()) instanceof JsonResult.Error<String> unreadable) {
            failure = "unreadable answer (" + unreadable.message() + ")";
        } else {
            issued = ((JsonResult.Ok<String>) codec.loginToken(response.body())).value();
        }
        synchronized (this) {
            loginInFlight = false;
            if (closed) {
                return;
            }
            logins.increment();
            if (issued == null) {
                errors.increment();
                loginFailures++;
                Duration delay = settings.backoff().delay(loginFailures, ThreadLocalRandom.current()::nextDouble);
                status = EndpointStatus.connecting("login failed: " + failure + "; retry in " + delay.toMillis() + " ms");
                LOG.warn("{}: login at {} failed: {}; retry {} in {} ms", settings.id(), settings.graphqlUri(), failure,
                        loginFailures, delay.toMillis());
                pending = scheduler.schedule(this::retryLogin, delay.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            loginFailures = 0;
            token = issued;
            tokens.save(issued);
            LOG.info("{}: logged in to Kosmi anonymously", settings.id());
            if (socket == null) {
                openSocket();
            } else if (session != null && !session.initSent) {
                sendInit(session);
            }
        }
    }

    private synchronized void retryLogin() {
        login();
    }

    // --- connection ---------------------------------------------------------------------------

    // guarded by this
    private void openSocket() {
        if (closed) {
            return;
        }
        ClientSpec spec = ClientSpec.builder(settings.id(), settings.webSocketUri())
                .subprotocols(KosmiCodec.SUBPROTOCOL)
                .header("Origin", settings.origin())
                .header("User-Agent", settings.userAgent())
                .maxMessageSize(settings.maxMessageBytes())
                .backoff(settings.backoff())
                .build();
        status = EndpointStatus.connecting("connecting to " + settings.webSocketUri());
        socket = transport.connect(spec, this);
    }

    @Override
    public void onOpen(WebSocketConnection connection) {
        synchronized (this) {
            if (closed) {
                return;
            }
            session = new Session(connection);
            lastFailure = null;
            if (token == null) {
                status = EndpointStatus.connecting("connected; waiting for a login");
                login();
            } else {
                sendInit(session);
            }
        }
    }

    // guarded by this
    private void sendInit(Session current) {
        current.initSent = true;
        current.connection.sendText(codec.connectionInit(token, settings.userAgent(), settings.appVersion()));
        current.ackTimer = scheduler.schedule(() -> ackMissing(current), settings.ackTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        status = EndpointStatus.connecting("awaiting connection_ack");
    }

    private synchronized void ackMissing(Session current) {
        if (session != current || current.acked || closed) {
            return;
        }
        errors.increment();
        current.closeReason = "ack timeout: no connection_ack within " + settings.ackTimeout().toMillis() + " ms";
        status = EndpointStatus.connecting(current.closeReason);
        LOG.warn("{}: {}; reconnecting", settings.id(), current.closeReason);
        socket.reconnect("no connection_ack");
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        KosmiCodec.Inbound inbound = codec.decode(text);
        List<Runnable> effects = new ArrayList<>(1);
        synchronized (this) {
            Session current = session;
            if (current == null || current.connection != connection || closed) {
                return;
            }
            if (inbound instanceof KosmiCodec.Ack) {
                acknowledged(current);
            } else if (inbound instanceof KosmiCodec.Ping) {
                connection.sendText(codec.pong());
            } else if (inbound instanceof KosmiCodec.Pong) {
                current.pingUnanswered = false;
            } else if (inbound instanceof KosmiCodec.Next next) {
                next(current, next, effects);
            } else if (inbound instanceof KosmiCodec.Error error) {
                error(current, error, effects);
            } else if (inbound instanceof KosmiCodec.Complete complete) {
                complete(current, complete, effects);
            } else if (inbound instanceof KosmiCodec.Invalid invalid) {
                errors.increment();
                current.closeReason = "invalid message from Kosmi (" + invalid.why() + ")";
                LOG.warn("{}: {}; closing with 4400", settings.id(), current.closeReason);
                connection.close(4400, "Invalid message");
            }
        }
        effects.forEach(Runnable::run);
    }

    // guarded by this
    private void acknowledged(Session current) {
        if (current.acked || !current.initSent) {
            LOG.debug("{}: ignoring an unexpected connection_ack", settings.id());
            return;
        }
        current.acked = true;
        current.ackTimer.cancel(false);
        LOG.info("{}: connection acknowledged; subscribing to and joining {}", settings.id(), settings.rooms());
        if (!settings.displayName().isEmpty()) {
            start(current, new Operation(Kind.DISPLAY_NAME, null, null, null), Document.SET_DISPLAY_NAME,
                    Map.of("displayName", settings.displayName()));
        }
        for (String room : settings.rooms()) {
            start(current, new Operation(Kind.SUBSCRIPTION, room, null, null), Document.ON_NEW_MESSAGE,
                    Map.of("roomId", room));
            // the seed's critical step: without joining, the subscription receives nothing
            start(current, new Operation(Kind.JOIN, room, null, null), Document.JOIN_ROOM, Map.of("id", room));
        }
        status = EndpointStatus.connecting("joining " + String.join(", ", settings.rooms()));
        long period = settings.keepalive().toMillis();
        if (period > 0) {
            current.keepalive = scheduler.scheduleWithFixedDelay(() -> keepalive(current), period, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    // guarded by this
    private String start(Session current, Operation operation, Document document, Map<String, Object> variables) {
        String id = Long.toString(++operationIds);
        current.operations.put(id, operation);
        current.connection.sendText(codec.subscribe(id, document, variables));
        return id;
    }

    // guarded by this
    private void next(Session current, KosmiCodec.Next next, List<Runnable> effects) {
        Operation operation = current.operations.get(next.id());
        if (operation == null) {
            LOG.debug("{}: next for unknown operation {}", settings.id(), next.id());
            return;
        }
        switch (operation.kind()) {
            case SUBSCRIPTION -> {
                JsonResult<NewMessage> parsed = codec.newMessage(next.payload());
                if (parsed instanceof JsonResult.Ok<NewMessage> ok) {
                    if (echoes.consume(operation.room(), ok.value().body())) {
                        LOG.debug("{}: dropped the echo of our own message in {}", settings.id(), operation.room());
                    } else {
                        messagesIn.increment();
                        effects.add(() -> inbox.received(operation.room(), ok.value()));
                    }
                } else {
                    errors.increment();
                    LOG.warn("{}: malformed newMessage in {} skipped: {}", settings.id(), operation.room(),
                            ((JsonResult.Error<NewMessage>) parsed).message());
                }
            }
            case JOIN -> {
                String failure = codec.mutationFailure(next.payload(), Document.JOIN_ROOM);
                current.answered.add(operation.room());
                if (failure == null) {
                    current.joined.add(operation.room());
                    LOG.info("{}: joined room {}", settings.id(), operation.room());
                } else {
                    roomFailed(current, operation.room(), "join refused: " + failure);
                }
                updateOnline(current);
            }
            case SEND -> {
                current.operations.remove(next.id());
                String failure = codec.mutationFailure(next.payload(), Document.SEND_MESSAGE);
                if (failure == null) {
                    messagesOut.increment();
                    effects.add(() -> operation.sent().complete(null));
                } else {
                    sendFailed(operation, "Kosmi refused the message: " + failure, effects);
                }
            }
            case DISPLAY_NAME -> {
                String failure = codec.mutationFailure(next.payload(), Document.SET_DISPLAY_NAME);
                if (failure == null) {
                    LOG.info("{}: display name set to {}", settings.id(), settings.displayName());
                } else {
                    LOG.warn("{}: display name not set: {}", settings.id(), failure);
                }
            }
        }
    }

    // guarded by this
    private void error(Session current, KosmiCodec.Error error, List<Runnable> effects) {
        Operation operation = current.operations.remove(error.id());
        if (operation == null) {
            LOG.debug("{}: error for unknown operation {}", settings.id(), error.id());
            return;
        }
        String message = error.message().isEmpty() ? "unknown error" : error.message();
        errors.increment();
        switch (operation.kind()) {
            case SUBSCRIPTION -> {
                roomFailed(current, operation.room(), "subscription refused: " + message);
                updateOnline(current);
            }
            case JOIN -> {
                current.answered.add(operation.room());
                roomFailed(current, operation.room(), "join refused: " + message);
                updateOnline(current);
            }
            case SEND -> sendFailed(operation, "Kosmi refused the message: " + message, effects);
            case DISPLAY_NAME -> LOG.warn("{}: display name not set: {}", settings.id(), message);
        }
    }

    // guarded by this
    private void complete(Session current, KosmiCodec.Complete complete, List<Runnable> effects) {
        Operation operation = current.operations.remove(complete.id());
        if (operation == null) {
            return;
        }
        if (operation.kind() == Kind.SEND) {
            sendFailed(operation, "SendMessage completed without an answer", effects);
        } else if (operation.kind() == Kind.SUBSCRIPTION) {
            roomFailed(current, operation.room(), "subscription ended by Kosmi");
            updateOnline(current);
        }
    }

    // guarded by this
    private void roomFailed(Session current, String room, String why) {
        current.failed.put(room, why);
        LOG.warn("{}: room {}: {}; the next reconnect tries again", settings.id(), room, why);
    }

    /** Online once every room's join is answered and at least one room is joined and subscribed. */
    // guarded by this
    private void updateOnline(Session current) {
        if (current.answered.size() < settings.rooms().size()) {
            return;
        }
        List<String> live = current.joined.stream().filter(room -> !current.failed.containsKey(room)).toList();
        List<String> failures = current.failed.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
        String failed = failures.isEmpty() ? "" : "; " + String.join("; ", failures);
        if (live.isEmpty()) {
            status = EndpointStatus.offline("no room joined" + failed);
            current.online = false;
            return;
        }
        status = EndpointStatus.online("joined " + String.join(", ", live) + failed);
        if (!current.online) {
            current.online = true;
            LOG.info("{}: online in {}", settings.id(), String.join(", ", live));
        }
    }

    private synchronized void keepalive(Session current) {
        if (session != current || closed) {
            return;
        }
        if (current.pingUnanswered) {
            errors.increment();
            current.closeReason = "no pong within " + settings.keepalive().toMillis() + " ms";
            LOG.warn("{}: {}; reconnecting", settings.id(), current.closeReason);
            socket.reconnect("no pong");
            return;
        }
        current.pingUnanswered = true;
        current.connection.sendText(codec.ping());
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            Session current = session;
            if (current == null || current.connection != connection) {
                return;
            }
            session = null;
            current.cancelTimers();
            String stoppedBy = closed ? "endpoint stopped" : "connection closed (" + code + ") before Kosmi answered";
            current.operations.values().stream().filter(operation -> operation.kind() == Kind.SEND)
                    .forEach(operation -> sendFailed(operation, stoppedBy, effects));
            if (closed) {
                return;
            }
            String description = current.closeReason != null ? current.closeReason
                    : "closed with code " + code + " (" + meaning(code) + ")";
            lastFailure = description;
            String peerReason = reason == null || reason.isBlank() ? "" : " \"" + reason + "\"";
            switch (code) {
                case 4401, 4403 -> {
                    LOG.warn("{}: {}{}: Kosmi rejected the token; logging in again", settings.id(), description,
                            peerReason);
                    token = null;
                    tokens.delete();
                    login();
                }
                case 4429 -> {
                    Duration delay = settings.backoff().delay(CEILING_ATTEMPT, ThreadLocalRandom.current()::nextDouble);
                    LOG.warn("{}: {}{}: backing off {} ms", settings.id(), description, peerReason, delay.toMillis());
                    lastFailure = description + "; backing off " + delay.toMillis() + " ms";
                    WebSocketClient throttled = socket;
                    socket = null;
                    retired = retired.plus(throttled.metrics().snapshot());
                    // closed off the transport's thread: this callback runs on one of its workers
                    scheduler.execute(throttled::close);
                    pending = scheduler.schedule(this::reopen, delay.toMillis(), TimeUnit.MILLISECONDS);
                }
                default -> {
                    if (current.closeReason == null) {
                        LOG.warn("{}: {}{}; reconnecting", settings.id(), description, peerReason);
                    }
                }
            }
            status = EndpointStatus.connecting(lastFailure);
        }
        effects.forEach(Runnable::run);
    }

    private synchronized void reopen() {
        if (socket == null) {
            openSocket();
        }
    }

    @Override
    public synchronized void onRetryScheduled(int attempt, Duration delay, String reason) {
        if (closed || socket == null) {
            return;
        }
        String why = lastFailure != null ? lastFailure : reason;
        status = EndpointStatus.connecting(why + "; retry " + attempt + " in " + delay.toMillis() + " ms");
    }

    @Override
    public void onError(WebSocketConnection connection, Throwable error) {
        errors.increment();
    }

    /** What graphql-transport-ws and RFC 6455 say a close code means. */
    static String meaning(int code) {
        return switch (code) {
            case 4400 -> "bad request: Kosmi refused a message as invalid";
            case 4401 -> "unauthorized: subscribed before connection_ack";
            case 4403 -> "forbidden: token rejected";
            case 4406 -> "subprotocol not acceptable";
            case 4408 -> "connection initialisation timeout";
            case 4409 -> "subscriber already exists";
            case 4429 -> "too many initialisation requests";
            case 4500 -> "internal server error";
            case 1000 -> "normal closure";
            case 1001 -> "going away";
            case 1006 -> "connection lost";
            case 1009 -> "message too big";
            case 1011 -> "server error";
            case 1012 -> "service restart";
            case 1013 -> "try again later";
            default -> "unexpected close code";
        };
    }

    // --- sending ------------------------------------------------------------------------------

    /** Sends {@code body} into {@code room}: completes on {@code ok}, fails with the GraphQL error otherwise. */
    CompletionStage<Void> send(String room, String body) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        synchronized (this) {
            Session current = session;
            if (closed) {
                return failed("endpoint stopped");
            }
            if (current == null || !current.acked) {
                return failed("offline: " + status.reason());
            }
            if (!current.joined.contains(room) || current.failed.containsKey(room)) {
                return failed(settings.rooms().contains(room) ? "room " + room + " is not joined: "
                        + current.failed.getOrDefault(room, "joining") : "room " + room + " is not one of "
                        + settings.rooms());
            }
            echoes.expect(room, body);
            String id = start(current, new Operation(Kind.SEND, room, body, sent), Document.SEND_MESSAGE,
                    Map.of("body", body, "roomId", room));
            scheduler.schedule(() -> sendTimedOut(current, id), settings.sendTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return sent;
    }

    private void sendTimedOut(Session sentOn, String id) {
        List<Runnable> effects = new ArrayList<>(1);
        synchronized (this) {
            Operation operation = sentOn.operations.remove(id);
            if (operation != null) {
                errors.increment();
                sendFailed(operation, "no answer from Kosmi within " + settings.sendTimeout().toMillis() + " ms",
                        effects);
            }
        }
        effects.forEach(Runnable::run);
    }

    // guarded by this
    private void sendFailed(Operation operation, String why, List<Runnable> effects) {
        echoes.consume(operation.room(), operation.body());
        LOG.warn("{}: message to {} not sent: {}", settings.id(), operation.room(), why);
        effects.add(() -> operation.sent().completeExceptionally(new DeliveryException(settings.id(), why)));
    }

    private CompletionStage<Void> failed(String why) {
        return CompletableFuture.failedFuture(new DeliveryException(settings.id(), why));
    }

    // --- figures ------------------------------------------------------------------------------

    long messagesIn() {
        return messagesIn.sum();
    }

    long messagesOut() {
        return messagesOut.sum();
    }

    long errors() {
        return errors.sum();
    }

    synchronized ConnectionMetrics.Snapshot transportMetrics() {
        return socket == null ? retired : retired.plus(socket.metrics().snapshot());
    }

    synchronized Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rooms", settings.rooms());
        details.put("joined", session == null ? List.of() : List.copyOf(session.joined));
        details.put("logins", logins.sum());
        details.put("webSocketUrl", settings.webSocketUri().toString());
        return details;
    }

    // --- lifecycle ----------------------------------------------------------------------------

    /** Closes the WebSocket with 1000 and ends the client's thread; pending sends fail. Idempotent. */
    @Override
    public void close() {
        WebSocketClient open;
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = socket;
            socket = null;
            if (pending != null) {
                pending.cancel(false);
            }
            if (session != null) {
                session.cancelTimers();
                session.operations.values().stream().filter(operation -> operation.kind() == Kind.SEND)
                        .forEach(operation -> sendFailed(operation, "endpoint stopped", effects));
                session = null;
            }
            status = EndpointStatus.offline("stopped");
        }
        if (open != null) {
            open.close();
        }
        scheduler.shutdownNow();
        effects.forEach(Runnable::run);
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
