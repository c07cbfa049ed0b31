package dev.switchboard.transport;

/**
 * Answers the requests a stream route of a {@link WebSocketServer} claims, plain or upgrade, at
 * byte level. Called on a server thread; never block here: answer now or later, from any thread.
 */
@FunctionalInterface
public interface StreamHandler {

    void handle(StreamExchange exchange);
}
