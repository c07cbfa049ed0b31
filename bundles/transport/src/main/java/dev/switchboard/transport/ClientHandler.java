package dev.switchboard.transport;

import java.time.Duration;

/** A {@link WebSocketHandler} for a reconnecting {@link WebSocketClient}, told about retries too. */
public interface ClientHandler extends WebSocketHandler {

    /**
     * A connection attempt failed or an open connection was lost; attempt number {@code attempt}
     * (1-based since the last stable connection) starts after {@code delay}.
     *
     * @param reason what went wrong, fit for an endpoint status ("connect failed: Connection refused")
     */
    default void onRetryScheduled(int attempt, Duration delay, String reason) {
    }
}
