package dev.switchboard.transport.internal;

import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;

/**
 * The Tyrus endpoint of one server connection. Tyrus asks the route's configurator for an
 * instance per connection, so nothing here is static (DESIGN pitfall 3). Public because Tyrus
 * calls these methods reflectively.
 */
public final class ServerRouteEndpoint extends ConnectionEndpoint {

    private final TyrusServer.Route route;

    ServerRouteEndpoint(TyrusServer.Route route) {
        this.route = route;
    }

    @Override
    TyrusConnection open(Session session, EndpointConfig config) {
        return route.open(session, config);
    }
}
