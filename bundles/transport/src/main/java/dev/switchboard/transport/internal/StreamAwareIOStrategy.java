package dev.switchboard.transport.internal;

import java.io.IOException;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.strategies.AbstractIOStrategy;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;

/**
 * Runs the events of byte stream connections on the selector thread (their work never blocks: a
 * read, a queued write, maybe a pause), and those of upgraded WebSocket connections whose handler
 * never blocks ({@link UpgradedChain#ON_SELECTOR}); everything else, HTTP requests and other
 * Tyrus frames, on the worker pool, so a slow handler never stalls the selector.
 */
final class StreamAwareIOStrategy extends AbstractIOStrategy {

    static final StreamAwareIOStrategy INSTANCE = new StreamAwareIOStrategy();

    private StreamAwareIOStrategy() {
    }

    @Override
    public boolean executeIoEvent(Connection connection, IOEvent ioEvent, boolean isIoEventEnabled) throws IOException {
        return GrizzlyByteStream.ATTRIBUTE.isSet(connection) || UpgradedChain.ON_SELECTOR.isSet(connection)
                ? SameThreadIOStrategy.getInstance().executeIoEvent(connection, ioEvent, isIoEventEnabled)
                : WorkerThreadIOStrategy.getInstance().executeIoEvent(connection, ioEvent, isIoEventEnabled);
    }
}
