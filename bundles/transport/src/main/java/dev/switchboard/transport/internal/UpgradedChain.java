package dev.switchboard.transport.internal;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.utils.IdleTimeoutFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filter chain of a WebSocket connection once Tyrus opened it ({@link TyrusInternals.Internal#HTTP_RELEASE}):
 * Grizzly's transport and idle-timeout filters, our frame filter, Tyrus's filter. Grizzly's HTTP
 * codec keeps an upgraded connection's request for good (with its response, context and some 30
 * header chunks, about 9 KB) only to wrap each read as content of it; here our frame filter wraps
 * reads itself, and the codec's request is dropped. Built once per listener, from its chain.
 */
final class UpgradedChain {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradedChain.class);
    private static final String TYRUS_FILTER = "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter";
    /** The codec's attributes of a connection: its request in progress, and its keep-alive count. */
    private static final Attribute<Object> CODEC_REQUEST =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME);
    private static final Attribute<Object> CODEC_KEEP_ALIVE =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute("HttpServerFilter.KeepAliveContext");
    /**
     * What every read of a released connection is content of: a plain request, not an upgrade, so
     * Tyrus's filter never takes one for a handshake (once its connection is gone it drops them).
     */
    private static final HttpRequestPacket READS = HttpRequestPacket.builder().method(Method.GET).uri("/")
            .protocol(Protocol.HTTP_1_1).build();

    private final Filter frames;
    /** The listener's chain the released one was built from, and the released one (null: it cannot be). */
    private volatile FilterChain from;
    private volatile FilterChain released;

    UpgradedChain(Filter frames) {
        this.frames = frames;
    }

    /** {@code bytes} read on a released connection, as Tyrus's filter takes them. */
    static HttpContent content(Buffer bytes) {
        return HttpContent.builder(READS).content(bytes).build();
    }

    /**
     * Moves {@code connection}, upgraded and opened by Tyrus on this thread, to the released chain
     * and drops the codec's request: its next read goes there. Does nothing when the listener's
     * chain lacks a part (the connection keeps the codec).
     */
    void release(Connection<?> connection) {
        if (!(connection.getProcessor() instanceof FilterChain chain)) {
            return;
        }
        FilterChain target = chainFor(chain);
        if (target == null) {
            return;
        }
        connection.setProcessor(target);
        dropCodecState(connection);
    }

    /**
     * Drops what Grizzly's HTTP codec keeps of {@code connection}'s last request (about 9 KB): for a
     * connection the codec reads no more, a WebSocket on the released chain or an upgraded byte stream.
     */
    static void dropCodecState(Connection<?> connection) {
        CODEC_REQUEST.remove(connection);
        CODEC_KEEP_ALIVE.remove(connection);
    }

    private synchronized FilterChain chainFor(FilterChain chain) {
        if (chain == released) {
            return null;
        }
        if (chain != from) {
            from = chain;
            released = build(chain);
        }
        return released;
    }

    private FilterChain build(FilterChain chain) {
        int transport = chain.indexOfType(TransportFilter.class);
        int idle = chain.indexOfType(IdleTimeoutFilter.class);
        int ours = chain.indexOf(frames);
        Filter tyrus = ours >= 0 && ours + 1 < chain.size() ? chain.get(ours + 1) : null;
        if (transport < 0 || tyrus == null || !TYRUS_FILTER.equals(tyrus.getClass().getName())) {
            LOG.debug("no released chain for upgraded connections: the listener's chain is {}", chain);
            return null;
        }
        FilterChainBuilder builder = FilterChainBuilder.stateless().add(chain.get(transport));
        if (idle >= 0) {
            // it holds each connection from its accept until told of its close
            builder.add(chain.get(idle));
        }
        return builder.add(frames).add(tyrus).build();
    }
}
