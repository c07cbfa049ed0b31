package dev.switchboard.transport.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.FileCacheFilter;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose request head is not complete this long after it was accepted, or after
 * the previous response on it ended (a slowloris client trickling a head never ties up a socket).
 * Grizzly's keep-alive idle timeout restarts with every byte read and would close upgraded
 * connections, so it stays off. Sits right after the HTTP codec, before the stream routes claim a
 * head; an upgraded connection never arms it again.
 */
final class HeadTimeout extends BaseFilter {

    private static final Logger LOG = LoggerFactory.getLogger(HeadTimeout.class);
    private static final Attribute<Deadline> PENDING =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(HeadTimeout.class.getName());

    private final String serverLabel;
    private final ScheduledExecutorService timer;
    private final long timeoutMs;

    private HeadTimeout(String serverLabel, ScheduledExecutorService timer, Duration timeout) {
        this.serverLabel = serverLabel;
        this.timer = timer;
        this.timeoutMs = timeout.toMillis();
    }

    /** Puts the filter before every other add-on's filter; register it before them. */
    static AddOn addOn(String serverLabel, ScheduledExecutorService timer, Duration timeout) {
        return (NetworkListener listener, FilterChainBuilder builder) -> {
            int index = builder.indexOfType(FileCacheFilter.class);
            builder.add(index >= 0 ? index : builder.indexOfType(HttpServerFilter.class),
                    new HeadTimeout(serverLabel, timer, timeout));
        };
    }

    @Override
    public NextAction handleAccept(FilterChainContext context) {
        arm(context.getConnection());
        return context.getInvokeAction();
    }

    @Override
    public NextAction handleRead(FilterChainContext context) {
        if (context.getMessage() instanceof HttpContent content && content.getHttpHeader() instanceof HttpRequestPacket) {
            disarm(context.getConnection());
        }
        return context.getInvokeAction();
    }

    @Override
    public NextAction handleWrite(FilterChainContext context) {
        // the end of a final, non-upgrade response: the next head on this keep-alive connection has the same time to come
        if (context.getMessage() instanceof HttpContent content && content.isLast()
                && content.getHttpHeader() instanceof HttpResponsePacket response
                && response.getStatus() >= 200 && (response.getRequest() == null || !response.getRequest().isUpgrade())) {
            arm(context.getConnection());
        }
        return context.getInvokeAction();
    }

    @Override
    public NextAction handleClose(FilterChainContext context) {
        disarm(context.getConnection());
        return context.getInvokeAction();
    }

    private synchronized void arm(Connection<?> connection) {
        disarm(connection);
        Deadline deadline = new Deadline();
        PENDING.set(connection, deadline);
        deadline.task = timer.schedule(() -> expire(connection, deadline), timeoutMs, TimeUnit.MILLISECONDS);
    }

    private synchronized void disarm(Connection<?> connection) {
        Deadline pending = PENDING.remove(connection);
        if (pending != null && pending.task != null) {
            pending.task.cancel(false);
        }
    }

    private void expire(Connection<?> connection, Deadline deadline) {
        synchronized (this) {
            if (PENDING.get(connection) != deadline) {
                return; // a head came, or the deadline was set again, as this one fired
            }
            PENDING.remove(connection);
        }
        if (connection.isOpen()) {
            LOG.debug("{}: no request head from {} within {} ms, closing", serverLabel, connection.getPeerAddress(),
                    timeoutMs);
            connection.closeSilently();
        }
    }

    /** One armed timeout; compared by identity so a stale one that fires late does nothing. */
    private static final class Deadline {
        ScheduledFuture<?> task;
    }
}
