package dev.switchboard.console.internal;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.SinkInfo;
import java.time.Instant;
import java.util.List;

/**
 * Everything the console shows, taken at one moment.
 *
 * @param time          when it was taken
 * @param endpoints     every registered endpoint, ordered by id
 * @param routerPresent true when the router's {@code GatewayRegistry} is registered
 * @param gateways      every configured gateway, ordered by name (empty without the router)
 */
record Overview(Instant time, List<EndpointView> endpoints, boolean routerPresent, List<GatewayInfo> gateways) {

    Overview {
        endpoints = List.copyOf(endpoints);
        gateways = List.copyOf(gateways);
    }

    long online() {
        return endpoints.stream().filter(e -> e.status().state() == EndpointStatus.State.ONLINE).count();
    }

    long messagesIn() {
        return endpoints.stream().mapToLong(e -> e.metrics().messagesIn()).sum();
    }

    long messagesOut() {
        return endpoints.stream().mapToLong(e -> e.metrics().messagesOut()).sum();
    }

    long bytesIn() {
        return endpoints.stream().mapToLong(e -> e.metrics().bytesIn()).sum();
    }

    long bytesOut() {
        return endpoints.stream().mapToLong(e -> e.metrics().bytesOut()).sum();
    }

    long errors() {
        return endpoints.stream().mapToLong(e -> e.metrics().errors()).sum();
    }

    long reconnects() {
        return endpoints.stream().mapToLong(e -> e.metrics().reconnects()).sum();
    }

    long routed() {
        return gateways.stream().mapToLong(GatewayInfo::routed).sum();
    }

    long queued() {
        return gateways.stream().flatMap(g -> g.sinks().stream()).mapToLong(SinkInfo::queued).sum();
    }
}
