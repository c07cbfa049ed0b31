package dev.switchboard.transport.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.attributes.AttributeHolder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.memory.ByteBufferArray;
import org.glassfish.tyrus.core.CloseReasons;
import org.glassfish.tyrus.spi.ReadHandler;

/**
 * Where a server WebSocket connection's reads go once Tyrus accepted its upgrade
 * ({@link TyrusInternals.Internal#UPGRADED_CHAIN}): Grizzly's transport filter, then a filter
 * that checks frame sizes, holds the frames the read makes handlers send ({@link FrameWriter})
 * and hands the bytes to Tyrus's reader. On the HTTP chain every read would pass the HTTP codec,
 * which keeps the upgrade request for the connection's life (request and response packets and
 * their chunks, the header bytes, the keep-alive state: some 9 KB of heap per idle connection);
 * those are dropped with it.
 */
final class UpgradedChain {

    /** Tyrus's connection of a Grizzly connection, as Tyrus's own server filter stores it. */
    private static final Attribute<org.glassfish.tyrus.spi.Connection> TYRUS_CONNECTION =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
                    "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter.Connection");
    /** What Grizzly's HTTP codec keeps per connection. */
    private static final String[] CODEC_STATE = {HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME,
            "HttpServerFilter.KeepAliveContext"};

    /** Set on a connection whose reads its handler takes on the selector thread ({@link StreamAwareIOStrategy}). */
    static final Attribute<Boolean> ON_SELECTOR =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(UpgradedChain.class.getName() + ".onSelector");

    private final FilterChain chain;

    /** @param transport the listener's transport filter, the first of its HTTP chain */
    UpgradedChain(Filter transport, boolean corks) {
        this.chain = FilterChainBuilder.stateless().add(transport).add(new FramesToTyrus(corks)).build();
    }

    /**
     * Moves {@code connection} onto this chain: call on the thread handshaking, as Tyrus opens the
     * connection. The read that carried the upgrade request goes on through the HTTP chain (the
     * bytes after the request reach Tyrus there, without the codec); no other read of the
     * connection is handled before it ends, and the next finds Tyrus's connection in place.
     *
     * @param onSelector the connection's handler never blocks: its reads stay on the selector thread
     */
    void adopt(Connection<?> connection, boolean onSelector) {
        if (onSelector) {
            ON_SELECTOR.set(connection, Boolean.TRUE);
        }
        connection.setProcessor(chain);
        AttributeHolder attributes = connection.getAttributes();
        for (String name : CODEC_STATE) {
            attributes.removeAttribute(name);
        }
    }

    /** Checks frame sizes and feeds Tyrus's reader; Tyrus hears of a lost connection. */
    private static final class FramesToTyrus extends BaseFilter {

        private final boolean corks;

        FramesToTyrus(boolean corks) {
            this.corks = corks;
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            Connection<?> connection = ctx.getConnection();
            org.glassfish.tyrus.spi.Connection tyrus = TYRUS_CONNECTION.get(connection);
            TyrusInternals.Upgrade upgrade = TyrusInternals.Upgrade.of(connection);
            Buffer bytes = ctx.getMessage();
            if (tyrus == null || upgrade == null) {
                connection.closeSilently();
                return ctx.getStopAction();
            }
            if (corks) {
                FrameWriter.cork(ctx);
            }
            ReadHandler reader = tyrus.getReadHandler();
            synchronized (upgrade) {
                for (Buffer rest = bytes; rest != null; ) {
                    Buffer[] checked = upgrade.admit(rest);
                    if (checked[0] != null) {
                        read(reader, checked[0]);
                    }
                    rest = checked[1];
                }
            }
            return ctx.getStopAction();
        }

        private static void read(ReadHandler reader, Buffer buffer) {
            if (!buffer.isComposite()) {
                reader.handle(buffer.toByteBuffer());
                return;
            }
            ByteBufferArray array = buffer.toByteBufferArray();
            ByteBuffer[] parts = array.getArray();
            for (int i = 0; i < array.size(); i++) {
                reader.handle(parts[i]);
            }
            array.recycle();
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) throws IOException {
            org.glassfish.tyrus.spi.Connection tyrus = TYRUS_CONNECTION.get(ctx.getConnection());
            if (tyrus != null) {
                tyrus.close(CloseReasons.CLOSED_ABNORMALLY.getCloseReason());
            }
            return ctx.getStopAction();
        }
    }
}
