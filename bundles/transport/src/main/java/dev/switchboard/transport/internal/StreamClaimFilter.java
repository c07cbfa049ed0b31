package dev.switchboard.transport.internal;

import dev.switchboard.transport.StreamHandler;
import java.nio.ByteBuffer;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.FileCacheFilter;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims the upgrade requests of stream routes, right after the HTTP codec and before Tyrus's
 * filter (which would otherwise re-run its handshake lookup on every read of a connection it does
 * not serve). A claimed connection becomes a {@link GrizzlyByteStream}: the codec and every filter
 * after it never see it again. Plain requests pass on to the HTTP routes, which keep-alive serves.
 */
final class StreamClaimFilter extends BaseFilter {

    private static final Logger LOG = LoggerFactory.getLogger(StreamClaimFilter.class);

    private final StreamRoutes routes;

    StreamClaimFilter(StreamRoutes routes) {
        this.routes = routes;
    }

    /** Puts the filter before every add-on's filter (Tyrus's goes right before HttpServerFilter). */
    static AddOn addOn(StreamRoutes routes) {
        return (NetworkListener listener, FilterChainBuilder builder) -> {
            int index = builder.indexOfType(FileCacheFilter.class);
            builder.add(index >= 0 ? index : builder.indexOfType(HttpServerFilter.class), new StreamClaimFilter(routes));
        };
    }

    @Override
    public NextAction handleRead(FilterChainContext context) {
        if (!(context.getMessage() instanceof HttpContent content)
                || !(content.getHttpHeader() instanceof HttpRequestPacket request)
                || !request.isUpgrade() || routes.isEmpty()) {
            return context.getInvokeAction();
        }
        UpgradeExchange exchange;
        StreamHandler handler;
        try {
            exchange = UpgradeExchange.of(request, context.getConnection());
            // Grizzly's codec passes every byte after a head with an Upgrade header on raw, whatever Connection says
            handler = routes.claim(exchange.request().path(), true);
        } catch (IllegalArgumentException e) {
            return context.getInvokeAction();
        }
        if (handler == null) {
            return context.getInvokeAction();
        }
        Connection<?> connection = context.getConnection();
        Buffer rest = content.getContent();
        exchange.attach(new GrizzlyByteStream(connection, rest.hasRemaining() ? copy(rest) : null));
        try {
            handler.handle(exchange);
        } catch (RuntimeException e) {
            LOG.warn("stream route {} failed: {}", exchange.request().path(), e.toString());
            exchange.failed();
        }
        return context.getStopAction();
    }

    private static ByteBuffer copy(Buffer buffer) {
        ByteBuffer bytes = ByteBuffer.allocate(buffer.remaining());
        buffer.get(bytes);
        return bytes.flip();
    }
}
