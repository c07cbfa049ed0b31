package dev.switchboard.router;

import java.util.List;

/** The router's gateways as they stand now. Registered as an OSGi service by the router bundle. */
public interface GatewayRegistry {

    /** A snapshot of every configured gateway, active or not, ordered by name. Cheap, non-blocking. */
    List<GatewayInfo> gateways();
}
