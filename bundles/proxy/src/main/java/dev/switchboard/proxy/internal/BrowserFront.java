package dev.switchboard.proxy.internal;

import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.StreamExchange;
import dev.switchboard.transport.StreamHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The controller's side for browsers: every request on the browser port, plain or upgrade, is
 * matched to a route and carried to the route's agent as one tunnel stream.
 */
final class BrowserFront implements StreamHandler {

    private final String endpointId;
    private volatile ProxyRoutes routes;
    private final AgentListener agents;
    private volatile Duration openTimeout;
    private final AgentListener.Scheduler scheduler;
    private final ProxiedExchange.Events events;
    private final RouteMetrics metrics = new RouteMetrics();
    private volatile WebSocketServer server;

    BrowserFront(String endpointId, ProxyRoutes routes, AgentListener agents, Duration openTimeout,
                 AgentListener.Scheduler scheduler, ProxiedExchange.Events events) {
        this.endpointId = endpointId;
        this.routes = routes;
        this.agents = agents;
        this.openTimeout = openTimeout;
        this.scheduler = scheduler;
        this.events = events;
    }

    void start(WebSocketTransport transport, String host, int port) throws IOException {
        WebSocketServer next = transport.listen(ServerSpec.builder(endpointId + ".browsers").host(host).port(port)
                .build());
        next.addStreamFallback(this);
        server = next;
    }

    void stop() {
        WebSocketServer running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }

    /** Takes new routes and open timeout while running; requests under way keep theirs. */
    void reconfigure(ProxyRoutes nextRoutes, Duration nextOpenTimeout) {
        routes = nextRoutes;
        openTimeout = nextOpenTimeout;
    }

    InetSocketAddress address() {
        return server.address();
    }

    RouteMetrics metrics() {
        return metrics;
    }

    private static boolean hasBody(RequestHead request) {
        return request.header("Transfer-Encoding").isPresent()
                || !request.header("Content-Length").map(String::trim).orElse("0").equals("0");
    }

    @Override
    public void handle(StreamExchange exchange) {
        RequestHead request = exchange.request();
        ProxyRoutes.Route route = routes.match(request.header("Host").orElse(""), request.path()).orElse(null);
        RouteMetrics.Counters counters = metrics.of(route);
        if (route == null) {
            ProxiedExchange.page(exchange, counters, 404, "Not Found", "no route for this address");
            return;
        }
        boolean webSocket = request.upgrade().filter("websocket"::equalsIgnoreCase).isPresent();
        if (!webSocket && hasBody(request)) {
            // the transport's service connections take no request body before the answer's head yet
            ProxiedExchange.page(exchange, counters, 501, "Not Implemented",
                    "request bodies are not carried through the tunnel yet");
            return;
        }
        Tunnel tunnel = agents.tunnel(route.agent()).orElse(null);
        if (tunnel == null) {
            ProxiedExchange.page(exchange, counters, 502, "Bad Gateway", "agent " + route.agent()
                    + " is not connected");
            return;
        }
        RequestHead forwarded = HopByHop.forward(request, exchange.remoteAddress().getHostString(), "http");
        new ProxiedExchange(exchange, route, counters, events).start(tunnel, forwarded, openTimeout, scheduler);
    }
}
