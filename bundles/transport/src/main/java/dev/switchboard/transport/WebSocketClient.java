package dev.switchboard.transport;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A client that keeps one WebSocket open to one URI: it connects in the background, reconnects
 * with {@link Backoff} after every loss, pings to detect a dead peer, and stops only when
 * {@link #close()}d.
 *
 * <p>Every method may be called from any thread, including from inside the client's own
 * {@link ClientHandler} callbacks and from the completion of its sends: nothing here waits for
 * the network, and the Tyrus side of a close runs on a transport thread of its own.
 */
@ProviderType
public interface WebSocketClient extends AutoCloseable {

    enum State {
        /** Connecting or handshaking. */
        CONNECTING,
        /** Open. */
        OPEN,
        /** Waiting for the next attempt. */
        RETRY_WAIT,
        /** Closed by {@link #close()}; never reconnects. */
        CLOSED
    }

    State state();

    /** The current connection while {@link State#OPEN}. */
    Optional<WebSocketConnection> connection();

    /** Sends on the current connection; fails at once with a clear reason while not open. */
    CompletionStage<Void> sendText(String text);

    /**
     * Drops the current connection (close code 1001) and reconnects through the normal schedule;
     * for protocols that must start over, as on a missing ack. Does nothing unless open.
     */
    void reconnect(String reason);

    /**
     * Drops whatever is under way (an open connection with 1001, an attempt, a pending retry) and
     * connects again at once, the schedule reset to its first delay: for a fresh start that has
     * no reason to wait, as after a successful new login. Does nothing once closed.
     */
    void reconnectNow(String reason);

    /**
     * Drops whatever is under way (an open connection with 1001, an attempt, a pending retry) and
     * connects again once {@code delay} has passed, not sooner: for a peer that asked to be left
     * alone for a while, as with a rate-limit close code (4429). {@link ClientHandler#onRetryScheduled}
     * reports {@code delay} and {@code reason}. A retry this replaces keeps its attempt number;
     * if the attempt fails, the schedule goes on from there. Does nothing once closed.
     *
     * @param delay zero or positive
     */
    void reconnectNotBefore(Duration delay, String reason);

    /**
     * Starts the schedule over: the next retry waits the first delay. The explicit reset for
     * specs whose {@link ClientSpec#stableAfter()} is zero.
     */
    void resetBackoff();

    /** Counters across every connection this client made, reconnects included. */
    ConnectionMetrics metrics();

    /**
     * Stops reconnecting at once ({@link State#CLOSED} when this returns) and closes the
     * connection with 1000 in the background. Idempotent; never blocks; safe from any callback.
     */
    @Override
    void close();
}
