package dev.switchboard.transport.internal;

import dev.switchboard.transport.SharedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Writes one server connection's shared frames straight to its Grizzly connection, as they were
 * encoded once for every subscriber (Tyrus would encode, copy and wrap each message per
 * connection). Frames queued while this thread handles a read ({@link #cork}) gather per
 * connection and leave in one write once the read is handled, where one read of a publisher
 * carries many messages; at any other time a frame is written at once. A connection's frames
 * leave in the order of the {@link #write} calls, whichever thread flushes them.
 */
final class FrameWriter {

    /** Told when written frames left, or could not (the connection is gone). */
    interface Listener {
        void written(int frames, long payloadBytes);

        void failed(int frames, Throwable error);
    }

    private static final ThreadLocal<Cork> CORK = ThreadLocal.withInitial(Cork::new);
    /** The first batch buffer of a read; it doubles as needed. */
    private static final int FIRST_BATCH_BYTES = 1024;

    private final Connection<?> grizzly;
    private final Listener listener;
    // guarded by this: frames queued but not yet handed to Grizzly
    private byte[] batch;
    private int length;
    private int frames;
    private long payloadBytes;
    /** A corked thread will flush this writer when its read is handled. */
    private boolean scheduled;

    FrameWriter(Connection<?> grizzly, Listener listener) {
        this.grizzly = grizzly;
        this.listener = listener;
    }

    Connection<?> connection() {
        return grizzly;
    }

    /**
     * Holds the frames this thread writes until {@code ctx}'s processing is done: one write per
     * connection for everything one read caused.
     */
    static void cork(FilterChainContext ctx) {
        Cork cork = CORK.get();
        if (!cork.active) {
            cork.active = true;
            ctx.addCompletionListener(cork);
        }
    }

    void write(SharedText message) {
        Cork cork = CORK.get();
        synchronized (this) {
            append(message, cork.active);
            if (!cork.active) {
                flushHeld();
            } else if (!scheduled) {
                scheduled = true;
                cork.writers.add(this);
            }
        }
    }

    /** Hands every queued frame to Grizzly now: before a close frame, say. */
    synchronized void flush() {
        scheduled = false;
        flushHeld();
    }

    // holding the lock
    private void append(SharedText message, boolean corked) {
        int size = message.frameLength();
        if (batch == null) {
            batch = new byte[corked ? Math.max(FIRST_BATCH_BYTES, size) : size];
        } else if (length + size > batch.length) {
            batch = Arrays.copyOf(batch, Math.max(2 * batch.length, length + size));
        }
        message.copyFrameTo(batch, length);
        length += size;
        frames++;
        payloadBytes += message.payloadLength();
    }

    // holding the lock: Grizzly queues writes in the order they are handed over
    private void flushHeld() {
        if (frames == 0) {
            return;
        }
        Written written = new Written(frames, payloadBytes);
        byte[] bytes = batch;
        int size = length;
        batch = null;
        length = 0;
        frames = 0;
        payloadBytes = 0;
        try {
            write(grizzly, Buffers.wrap(grizzly.getMemoryManager(), bytes, 0, size), written);
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

    /** A thread's writers with frames held while it handles a read. */
    private static final class Cork implements FilterChainContext.CompletionListener {

        private final List<FrameWriter> writers = new ArrayList<>();
        private boolean active;

        @Override
        public void onComplete(FilterChainContext context) {
            active = false;
            for (FrameWriter writer : writers) {
                writer.flush();
            }
            writers.clear();
        }
    }
}
