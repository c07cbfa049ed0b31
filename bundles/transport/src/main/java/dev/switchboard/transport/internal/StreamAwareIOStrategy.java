package dev.switchboard.transport.internal;

import java.io.IOException;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.strategies.AbstractIOStrategy;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;

/**
 * Runs the events of byte stream connections on the selector thread (their work never blocks: a
 * read, a queued write, maybe a pause), and those of upgraded WebSocket connections whose handler
 * never blocks ({@link #keepOnSelector}); everything else, HTTP requests and other
 * Tyrus frames, on the worker pool, so a slow handler never stalls the selector.
 */
final class StreamAwareIOStrategy extends AbstractIOStrategy {

    static final StreamAwareIOStrategy INSTANCE = new StreamAwareIOStrategy();
    private static final Attribute<Boolean> ON_SELECTOR =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(StreamAwareIOStrategy.class.getName() + ".onSelector");

    /** The events of this WebSocket connection from now on run on the selector thread: its handler never blocks. */
    static void keepOnSelector(Connection<?> connection) {
        ON_SELECTOR.set(connection, Boolean.TRUE);
    }

    private StreamAwareIOStrategy() {
    }

    @Override
    public boolean executeIoEvent(Connection connection, IOEvent ioEvent, boolean isIoEventEnabled) throws IOException {
        return GrizzlyByteStream.ATTRIBUTE.isSet(connection) || ON_SELECTOR.isSet(connection)
                ? SameThreadIOStrategy.getInstance().executeIoEvent(connection, ioEvent, isIoEventEnabled)
                : WorkerThreadIOStrategy.getInstance().executeIoEvent(connection, ioEvent, isIoEventEnabled);
    }
}
