package dev.switchboard.kosmi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.kosmi.internal.KosmiCodec.Document;
import dev.switchboard.transport.WebSocketConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's graphql-transport-ws session, client side: {@code connection_init} and the wait
 * for {@code connection_ack}, operations started with {@code subscribe} and their {@code next},
 * {@code error} and {@code complete}, and {@code pong} for every {@code ping} of the server. A
 * missing ack closes the connection with 4504 and a message outside the protocol with 4400, as
 * graphql-ws clients do; the transport then reconnects. Thread-safe; never calls out while
 * holding its lock.
 */
final class GraphqlWsSession {

    private static final Logger LOG = LoggerFactory.getLogger(GraphqlWsSession.class);

    /** Close codes this side uses. */
    private static final int GOING_AWAY = 1001;
    private static final int BAD_REQUEST = 4400;
    private static final int ACK_TIMEOUT = 4504;

    /** Runs a task once after a delay; the endpoint's shared scheduler. */
    @FunctionalInterface
    interface Timers {
        Future<?> schedule(Duration delay, Runnable task);
    }

    /** What the session tells its owner, on the connection's thread or a timer's. */
    interface Listener {
        /** {@code connection_ack} arrived: operations may start. */
        void acknowledged(GraphqlWsSession session);

        /** The session closed the connection for {@code why} (no ack, a message outside the protocol). */
        void failed(GraphqlWsSession session, String why);
    }

    /** The answers to one operation. */
    interface Operation {
        void next(JsonNode payload);

        /** The server's {@code error}: the operation is over. */
        void error(String message);

        /** The server's {@code complete}: the operation is over. */
        void complete();
    }

    private final KosmiSettings settings;
    private final WebSocketConnection connection;
    private final KosmiCodec codec;
    private final Timers timers;
    private final Listener listener;

    // guarded by this
    private final Map<String, Operation> operations = new HashMap<>();
    private long operationIds;
    private String token;
    private boolean acked;
    private boolean ended;
    private Future<?> ackTimer;
    private String closeReason;

    GraphqlWsSession(KosmiSettings settings, WebSocketConnection connection, KosmiCodec codec, Timers timers,
                     Listener listener) {
        this.settings = settings;
        this.connection = connection;
        this.codec = codec;
        this.timers = timers;
        this.listener = listener;
    }

    WebSocketConnection connection() {
        return connection;
    }

    /** Sends {@code connection_init} with Kosmi's payload and waits at most the ack timeout for the ack. */
    void init(String token) {
        synchronized (this) {
            if (this.token != null || ended) {
                return;
            }
            this.token = token;
        }
        connection.sendText(codec.connectionInit(token, settings.userAgent(), settings.appVersion()));
        Future<?> timer = timers.schedule(settings.ackTimeout(), this::ackMissing);
        synchronized (this) {
            ackTimer = timer;
            if (acked || ended) {
                timer.cancel(false);
            }
        }
    }

    /** The token {@code connection_init} carried, or null before it was sent. */
    synchronized String token() {
        return token;
    }

    /** Starts {@code document} as operation; returns its id, or null once the session ended. */
    String subscribe(Document document, Map<String, Object> variables, Operation operation) {
        String id;
        synchronized (this) {
            if (ended) {
                return null;
            }
            id = Long.toString(++operationIds);
            operations.put(id, operation);
        }
        connection.sendText(codec.subscribe(id, document, variables));
        return id;
    }

    /** Stops listening to operation {@code id} (answered elsewhere, timed out). */
    synchronized void forget(String id) {
        operations.remove(id);
    }

    /** A text frame of this connection, on its thread. */
    void received(String text) {
        KosmiCodec.Inbound inbound = codec.decode(text);
        if (inbound instanceof KosmiCodec.Ack) {
            acknowledge();
        } else if (inbound instanceof KosmiCodec.Ping) {
            connection.sendText(codec.pong());
        } else if (inbound instanceof KosmiCodec.Pong) {
            LOG.debug("{}: unsolicited pong", settings.id());
        } else if (inbound instanceof KosmiCodec.Next next) {
            Operation operation = operation(next.id(), false);
            if (operation != null) {
                operation.next(next.payload());
            }
        } else if (inbound instanceof KosmiCodec.Error error) {
            Operation operation = operation(error.id(), true);
            if (operation != null) {
                operation.error(error.message().isEmpty() ? "unknown error" : error.message());
            }
        } else if (inbound instanceof KosmiCodec.Complete complete) {
            Operation operation = operation(complete.id(), true);
            if (operation != null) {
                operation.complete();
            }
        } else if (inbound instanceof KosmiCodec.Invalid invalid) {
            fail(BAD_REQUEST, "Invalid message", "invalid message from Kosmi (" + invalid.why() + ")");
        }
    }

    private synchronized Operation operation(String id, boolean last) {
        Operation operation = last ? operations.remove(id) : operations.get(id);
        if (operation == null) {
            LOG.debug("{}: answer for unknown operation {}", settings.id(), id);
        }
        return operation;
    }

    private void acknowledge() {
        synchronized (this) {
            if (acked || token == null || ended) {
                LOG.debug("{}: ignoring an unexpected connection_ack", settings.id());
                return;
            }
            acked = true;
            if (ackTimer != null) {
                ackTimer.cancel(false);
            }
        }
        listener.acknowledged(this);
    }

    private void ackMissing() {
        synchronized (this) {
            if (acked || ended) {
                return;
            }
        }
        fail(ACK_TIMEOUT, "Connection acknowledgement timeout",
                "ack timeout: no connection_ack within " + settings.ackTimeout().toMillis() + " ms");
    }

    private void fail(int code, String closeText, String why) {
        if (closing(why)) {
            listener.failed(this, why);
            connection.close(code, closeText);
        }
    }

    /** Closes the connection with 1001 for {@code why}, a reason of the owner's (a failed login). */
    void drop(String why) {
        if (closing(why)) {
            connection.close(GOING_AWAY, "Going away");
        }
    }

    private synchronized boolean closing(String why) {
        if (ended || closeReason != null) {
            return false;
        }
        closeReason = why;
        return true;
    }

    /** Why this side closed the connection, or null when it did not. */
    synchronized String closeReason() {
        return closeReason;
    }

    /** The connection closed: no more answers come; timers stop. */
    void ended() {
        Future<?> timer;
        synchronized (this) {
            ended = true;
            operations.clear();
            timer = ackTimer;
        }
        if (timer != null) {
            timer.cancel(false);
        }
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
            case 4504 -> "connection acknowledgement timeout";
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
}
