package dev.switchboard.transport.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;

/**
 * The Tyrus endpoint of one server connection. Tyrus asks the route's configurator for an
 * instance per connection, so nothing here is static (DESIGN pitfall 3). Public because Tyrus
 * calls these methods reflectively.
 */
public final class ServerRouteEndpoint extends Endpoint {

    private final TyrusServer.Route route;
    private volatile TyrusConnection connection;

    ServerRouteEndpoint(TyrusServer.Route route) {
        this.route = route;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        connection = route.open(session, config);
        connection.start();
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        TyrusConnection ended = connection;
        if (ended != null) {
            ended.ended(closeReason);
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        TyrusConnection failed = connection;
        if (failed != null) {
            failed.failed(error);
        }
    }
}
