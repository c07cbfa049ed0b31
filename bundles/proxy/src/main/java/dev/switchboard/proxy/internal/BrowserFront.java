package dev.switchboard.proxy.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ExchangeLog;
import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.StreamExchange;
import dev.switchboard.transport.StreamHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The controller's side for browsers: every request on the browser port, plain or upgrade, is
 * matched to a route and carried to the route's agent as one tunnel stream.
 */
final class BrowserFront implements StreamHandler {

    /** The largest chunked request body collected to be sent on with its length. */
    static final int MAX_CHUNKED_BODY = 1 << 20;

    private final String endpointId;
    private volatile ProxyRoutes routes;
    private final AgentListener agents;
    private volatile Duration openTimeout;
    private final AgentListener.Scheduler scheduler;
    private final ProxiedExchange.Events events;
    private final RouteMetrics metrics = new RouteMetrics();
    private final ExchangeLog inspector = new ExchangeLog();
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
        next.addStreamFallback(exchange -> handle(inspector.watch(exchange)));
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

    /** The last browser requests and WebSockets, for the console's tunnel inspector. */
    ExchangeLog inspector() {
        return inspector;
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
        if (!exchange.isUpgrade() && request.header("Transfer-Encoding").isPresent()) {
            collect(exchange, counters, body -> forward(exchange, route, counters, withLength(request, body), body));
        } else {
            forward(exchange, route, counters, request, null);
        }
    }

    private void forward(StreamExchange exchange, ProxyRoutes.Route route, RouteMetrics.Counters counters,
                         RequestHead request, List<ByteBuffer> collected) {
        Tunnel tunnel = agents.tunnel(route.agent()).orElse(null);
        if (tunnel == null) {
            ProxiedExchange.page(exchange, counters, 502, "Bad Gateway", "agent " + route.agent()
                    + " is not connected");
            return;
        }
        RequestHead forwarded = HopByHop.forward(request, exchange.remoteAddress().getHostString(), "http");
        new ProxiedExchange(exchange, route, counters, events).start(tunnel, forwarded, openTimeout, scheduler,
                collected);
    }

    /**
     * Reads a chunked request body (de-chunked by the transport) to its end: services are spoken to
     * in HTTP/1.0, where a body needs its length first (PROTOCOL.md §2). Over
     * {@link #MAX_CHUNKED_BODY} the browser is told 411, to send it with a {@code Content-Length}.
     */
    private static void collect(StreamExchange exchange, RouteMetrics.Counters counters,
                                Consumer<List<ByteBuffer>> whole) {
        exchange.body().receive(new ByteReceiver() {
            private final List<ByteBuffer> parts = new ArrayList<>();
            private long size;
            private boolean refused;

            @Override
            public void onBytes(ByteBuffer bytes) {
                size += bytes.remaining();
                if (refused) {
                    return;
                }
                if (size > MAX_CHUNKED_BODY) {
                    refused = true;
                    parts.clear();
                    ProxiedExchange.page(exchange, counters, 411, "Length Required", "a chunked request body over "
                            + (MAX_CHUNKED_BODY >> 20) + " MiB needs a Content-Length");
                    return;
                }
                parts.add(bytes);
            }

            @Override
            public void onEnd() {
                if (!refused) {
                    whole.accept(parts);
                }
            }
        });
    }

    /** The head with the collected body's length in place of its chunked transfer coding. */
    private static RequestHead withLength(RequestHead request, List<ByteBuffer> body) {
        List<HttpHeader> headers = new ArrayList<>(request.headers());
        headers.removeIf(h -> h.is("Transfer-Encoding") || h.is("Content-Length"));
        headers.add(new HttpHeader("Content-Length",
                Long.toString(body.stream().mapToLong(ByteBuffer::remaining).sum())));
        return request.withHeaders(headers);
    }
}
