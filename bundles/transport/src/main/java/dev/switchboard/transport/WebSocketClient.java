package dev.switchboard.transport;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A client that keeps one WebSocket open to one URI: it connects in the background, reconnects
 * with {@link Backoff} after every loss, pings to detect a dead peer, and stops only when
 * {@link #close()}d.
 */
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
     * Drops the current connection (close code 1001 when open) and reconnects through the normal
     * schedule; for protocols that must start over, as on a rejected token.
     */
    void reconnect(String reason);

    /** Marks the connection as stable now: the next retry starts again at the first delay. */
    void resetBackoff();

    /** Counters across every connection this client made, reconnects included. */
    ConnectionMetrics metrics();

    /** Stops reconnecting and closes the connection with 1000. Idempotent; never blocks long. */
    @Override
    void close();
}
