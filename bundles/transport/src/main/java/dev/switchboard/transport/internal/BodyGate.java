package dev.switchboard.transport.internal;

import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * Backpressure for a request body read through Grizzly's HTTP server, which would otherwise read
 * and buffer a whole upload however slowly it is consumed: while the gate is shut, the next body
 * read is parked in {@link StreamClaimFilter} (OP_READ stays off, the client meets TCP flow
 * control) and goes on to the HTTP server once it opens.
 */
final class BodyGate {

    private static final Attribute<BodyGate> ATTRIBUTE =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(BodyGate.class.getName());

    private boolean shut;
    private FilterChainContext parked;

    /** The gate of a connection's request in progress, made on first use. */
    static BodyGate of(Connection<?> connection) {
        BodyGate gate = ATTRIBUTE.get(connection);
        if (gate == null) {
            gate = new BodyGate();
            ATTRIBUTE.set(connection, gate);
        }
        return gate;
    }

    /** The request is done: later reads pass. */
    static void remove(Connection<?> connection) {
        BodyGate gate = ATTRIBUTE.remove(connection);
        if (gate != null) {
            gate.open();
        }
    }

    /** Parks {@code context} if the gate of its connection is shut; returns the action, or null to go on. */
    static NextAction hold(FilterChainContext context) {
        BodyGate gate = ATTRIBUTE.get(context.getConnection());
        return gate == null ? null : gate.park(context);
    }

    synchronized void shut() {
        shut = true;
    }

    void open() {
        FilterChainContext waiting;
        synchronized (this) {
            shut = false;
            waiting = parked;
            parked = null;
        }
        if (waiting != null) {
            waiting.resume();
        }
    }

    private synchronized NextAction park(FilterChainContext context) {
        if (!shut) {
            return null;
        }
        NextAction suspend = context.getSuspendAction();
        context.suspend();
        parked = context;
        return suspend;
    }
}
