package dev.switchboard.transport;

import java.time.Duration;

/** A {@link WebSocketHandler} for a reconnecting {@link WebSocketClient}, told about retries too. */
public interface ClientHandler extends WebSocketHandler {

    /**
     * A connection attempt failed, an open connection was lost, or the client was told to wait
     * ({@link WebSocketClient#reconnectNotBefore}); attempt number {@code attempt} (1-based since
     * the schedule was last reset) starts after {@code delay}.
     *
     * @param reason what went wrong, fit for an endpoint status ("connect failed: Connection refused"),
     *               or the reason given to {@code reconnectNotBefore}
     */
    default void onRetryScheduled(int attempt, Duration delay, String reason) {
    }
}
