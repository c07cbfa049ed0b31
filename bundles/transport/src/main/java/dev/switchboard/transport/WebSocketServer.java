package dev.switchboard.transport;

import java.net.InetSocketAddress;
import java.util.Collection;

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
    void addWebSocket(String path, WebSocketHandler handler);

    /**
     * Serves plain HTTP requests whose path starts with {@code pathPrefix}; the longest matching
     * prefix wins. Upgrade requests on a WebSocket route never reach an HTTP handler.
     */
    void addHttp(String pathPrefix, HttpHandler handler);

    /** The open WebSocket connections on every route. */
    Collection<WebSocketConnection> connections();

    /**
     * Closes every connection with 1001 "Server shutting down" (or as the handler closed them
     * first) and releases the port. Idempotent.
     */
    @Override
    void close();
}
