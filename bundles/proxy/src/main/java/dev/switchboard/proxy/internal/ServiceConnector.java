package dev.switchboard.proxy.internal;

import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.WebSocketTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The agent's opener of streams: connects to the service the controller named (TCP_NODELAY and
 * SO_KEEPALIVE, by the transport) with the request head, hop-by-hop headers removed. A WebSocket
 * upgrade goes as HTTP/1.1 and its bytes pass through after the service's answer; a plain request
 * goes as HTTP/1.0 with {@code Connection: close}, one request per service connection, and its
 * answer ends where its framing says (its length, or its connection's end), even when the service
 * keeps the connection open (PROTOCOL.md §2); the request's body, with its
 * {@code Content-Length}, follows the head at once.
 */
final class ServiceConnector implements Tunnel.Acceptor {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * A request with a body may be answered only once the service has read it all, however long
     * that takes: the controller's open timeout, counted from the body's end, decides (its RESET
     * aborts the connection). This only bounds a stream nobody ends.
     */
    static final Duration BODY_ANSWER_TIMEOUT = Duration.ofHours(1);

    private final Map<String, URI> services;
    private final WebSocketTransport transport;

    ServiceConnector(Map<String, URI> services, WebSocketTransport transport) {
        this.services = services;
        this.transport = transport;
    }

    @Override
    public TunnelStream.Handler open(TunnelStream stream, ByteBuffer head) {
        URI service = services.get(stream.service());
        RequestHead request;
        try {
            request = ProxyCodec.requestHead(head);
        } catch (IllegalArgumentException e) {
            stream.reset(ResetCode.INTERNAL, "unreadable request head");
            return ServiceStream.REFUSED;
        }
        if (service == null) {
            stream.reset(ResetCode.REFUSED, "agent has no service " + stream.service());
            return ServiceStream.REFUSED;
        }
        boolean upgrade = request.upgrade().isPresent();
        ServiceStream handler = new ServiceStream(stream, upgrade, request.method().equals("HEAD"));
        InetSocketAddress address = new InetSocketAddress(service.getHost(),
                service.getPort() < 0 ? 80 : service.getPort());
        boolean body = request.header("Content-Length").filter(length -> !length.equals("0")).isPresent();
        transport.openStream(address, serviceHead(request, service), body ? BODY_ANSWER_TIMEOUT : CONNECT_TIMEOUT,
                handler::headWritten)
                .whenComplete(handler::connected);
        return handler;
    }

    /** The head the service reads: hop-by-hop headers removed, the upgrade's put back (else {@code Connection: close}), under the service's path. */
    static RequestHead serviceHead(RequestHead request, URI service) {
        List<HttpHeader> headers = HopByHop.strip(request.headers());
        request.upgrade().ifPresentOrElse(protocol -> {
            headers.add(new HttpHeader("Connection", "Upgrade"));
            headers.add(new HttpHeader("Upgrade", protocol));
        }, () -> headers.add(new HttpHeader("Connection", "close"))); // one request per service connection: its end ends the stream, even from a service that keeps HTTP/1.0 alive
        String base = service.getRawPath() == null ? "" : service.getRawPath();
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        String version = request.upgrade().isPresent() ? request.version() : "HTTP/1.0";
        return new RequestHead(request.method(), base + request.target(), version, headers);
    }
}
