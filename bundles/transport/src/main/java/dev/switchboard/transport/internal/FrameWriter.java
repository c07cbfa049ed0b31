package dev.switchboard.transport.internal;

import dev.switchboard.transport.SharedText;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Writes one server connection's shared frames straight to its Grizzly connection, as they were
 * encoded once for every subscriber (Tyrus would encode, copy and wrap each message per
 * connection). A connection's frames leave in the order of the {@link #write} calls.
 */
final class FrameWriter {

    /** Told when written frames left, or could not (the connection is gone). */
    interface Listener {
        void written(int frames, long payloadBytes);

        void failed(int frames, Throwable error);
    }

    private final Connection<?> grizzly;
    private final Listener listener;

    FrameWriter(Connection<?> grizzly, Listener listener) {
        this.grizzly = grizzly;
        this.listener = listener;
    }

    Connection<?> connection() {
        return grizzly;
    }

    /** Hands {@code message}'s frame to Grizzly, which queues writes in the order they come. */
    void write(SharedText message) {
        byte[] frame = new byte[message.frameLength()];
        message.copyFrameTo(frame, 0);
        Written written = new Written(1, message.payloadLength());
        try {
            write(grizzly, Buffers.wrap(grizzly.getMemoryManager(), frame), written);
        } catch (RuntimeException e) {
            written.failed(e);
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"}) // Grizzly's write is generic in its peer's address type
    private static void write(Connection connection, Buffer buffer, Written written) {
        connection.write(buffer, written);
    }

    /** One write's frames, counted when Grizzly is done with them. */
    private final class Written extends EmptyCompletionHandler<WriteResult> {

        private final int count;
        private final long bytes;

        Written(int count, long bytes) {
            this.count = count;
            this.bytes = bytes;
        }

        @Override
        public void completed(WriteResult result) {
            listener.written(count, bytes);
        }

        @Override
        public void failed(Throwable error) {
            listener.failed(count, error);
        }

        @Override
        public void cancelled() {
            listener.failed(count, null);
        }
    }
}
