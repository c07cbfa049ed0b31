package dev.switchboard.transport;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;

/**
 * One listening socket carrying WebSocket routes and plain HTTP routes. Each adapter instance
 * owns its own server: closing one never touches another's connections.
 */
public interface WebSocketServer extends AutoCloseable {

    /** The bound address (the actual port when the spec asked for 0). */
    InetSocketAddress address();

    default int port() {
        return address().getPort();
    }

    /**
     * Serves WebSocket upgrades on {@code path}, which may hold template parameters
     * ({@code /_ws_proxy/{id}}). May be called before or after the server started.
     *
     * @throws IllegalStateException when the path is already routed
     */
    default void addWebSocket(String path, WebSocketHandler handler) {
        addWebSocket(path, List.of(), handler);
    }

    /**
     * As {@link #addWebSocket(String, WebSocketHandler)}, agreeing on the first subprotocol the
     * client offers that is in {@code subprotocols}; none agreed when the lists share nothing.
     */
    void addWebSocket(String path, List<String> subprotocols, WebSocketHandler handler);

    /**
     * Serves plain HTTP requests whose path starts with {@code pathPrefix}; the longest matching
     * prefix wins. Upgrade requests on a WebSocket route never reach an HTTP handler.
     */
    void addHttp(String pathPrefix, HttpHandler handler);

    /**
     * Claims requests, plain and upgrade, whose raw path starts with {@code pathPrefix}, to be
     * answered at byte level. Among HTTP and stream prefixes the longest match wins (a stream
     * route on a tie); an upgrade on a WebSocket route's path stays with that route.
     *
     * @throws IllegalStateException when the prefix is already a stream route
     */
    void addStream(String pathPrefix, StreamHandler handler);

    /**
     * Claims every request no other route claims: no WebSocket route for an upgrade, no HTTP or
     * stream prefix. Without it such a request is answered 404.
     *
     * @throws IllegalStateException when a fallback is already set
     */
    void addStreamFallback(StreamHandler handler);

    /** The open WebSocket connections on every route. */
    Collection<WebSocketConnection> connections();

    /** Counters across every WebSocket connection this server accepted. */
    ConnectionMetrics metrics();

    /**
     * Closes every connection with 1001 "Server shutting down" (or as the handler closed them
     * first) and releases the port. Idempotent.
     */
    @Override
    default void close() {
        close(1001, "Server shutting down");
    }

    /**
     * Closes every connection with {@code code} and {@code reason}, including one whose handshake
     * completes while the server stops, and releases the port. Idempotent: the first call's code
     * is the one sent. Clients tell a server that will be back from one that is gone by the code:
     * 1001 (going away) for a restart or redeploy, 1000 (normal closure) when removed or disabled.
     */
    void close(int code, String reason);
}
