package dev.switchboard.transport.internal;

import java.io.IOException;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.FilterChainEvent;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * Tyrus's server filter, with each read it handles run as one read for {@link FrameWriter}: the
 * shared frames the handlers send while Tyrus dispatches that read's frames leave in one write per
 * connection once it returns ({@link TyrusInternals.Internal#READ_SCOPE}). Everything else goes to
 * Tyrus's filter as it is.
 */
final class ReadScopeFilter implements Filter {

    private final Filter tyrus;

    ReadScopeFilter(Filter tyrus) {
        this.tyrus = tyrus;
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        try {
            return FrameWriter.whileReading(() -> tyrus.handleRead(ctx));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Override
    public void onAdded(FilterChain chain) {
        tyrus.onAdded(chain);
    }

    @Override
    public void onRemoved(FilterChain chain) {
        tyrus.onRemoved(chain);
    }

    @Override
    public void onFilterChainChanged(FilterChain chain) {
        tyrus.onFilterChainChanged(chain);
    }

    @Override
    public NextAction handleWrite(FilterChainContext ctx) throws IOException {
        return tyrus.handleWrite(ctx);
    }

    @Override
    public NextAction handleConnect(FilterChainContext ctx) throws IOException {
        return tyrus.handleConnect(ctx);
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) throws IOException {
        return tyrus.handleAccept(ctx);
    }

    @Override
    public NextAction handleEvent(FilterChainContext ctx, FilterChainEvent event) throws IOException {
        return tyrus.handleEvent(ctx, event);
    }

    @Override
    public NextAction handleClose(FilterChainContext ctx) throws IOException {
        return tyrus.handleClose(ctx);
    }

    @Override
    public void exceptionOccurred(FilterChainContext ctx, Throwable error) {
        tyrus.exceptionOccurred(ctx, error);
    }
}
