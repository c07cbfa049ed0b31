package dev.switchboard.transport.internal;

import java.io.EOFException;
import java.io.IOException;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.nio.transport.TCPNIOConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOUtils;

/**
 * The one filter of a {@link GrizzlyByteStream} connection: reads what the socket holds and hands
 * it to the stream. It reads instead of Grizzly's transport filter because that one closes the
 * connection on the peer's FIN, where a stream only ends its input (a half-close).
 */
final class RawReadFilter extends BaseFilter {

    @Override
    public NextAction handleRead(FilterChainContext context) {
        Connection<?> connection = context.getConnection();
        GrizzlyByteStream stream = GrizzlyByteStream.ATTRIBUTE.get(connection);
        if (stream == null) {
            connection.closeSilently();
            return context.getStopAction();
        }
        Buffer buffer;
        try {
            buffer = TCPNIOUtils.allocateAndReadBuffer((TCPNIOConnection) connection);
        } catch (EOFException e) {
            return stream.onInputEnd(context);
        } catch (IOException e) {
            stream.fail(e);
            return context.getStopAction();
        }
        buffer.trim();
        if (!buffer.hasRemaining()) {
            buffer.tryDispose();
            return context.getStopAction();
        }
        return stream.onRead(context, buffer);
    }
}
