package dev.switchboard.transport.internal;

import dev.switchboard.transport.SharedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Writes one server connection's shared frames straight to its Grizzly connection, as they were
 * encoded once for every subscriber (Tyrus would encode, copy and wrap each message per
 * connection). Frames queued while this thread handles a read ({@link #whileReading}) gather per
 * connection and leave in one write when the read is handled, where one read of a publisher
 * carries many messages; at any other time a frame is written at once. A connection's frames
 * leave in the order of the {@link #write} calls, whichever thread writes them out.
 */
final class FrameWriter {

    /** Told when written frames left, or could not (the connection is gone). */
    interface Listener {
        void written(int frames, long payloadBytes);

        void failed(int frames, Throwable error);
    }

    /** The writers holding frames for this thread's read; touched by this thread only. */
    private static final ThreadLocal<Reading> READING = ThreadLocal.withInitial(Reading::new);
    /** The first batch buffer of a read; it doubles as needed. */
    private static final int FIRST_BATCH_BYTES = 1024;

    private final Connection<?> grizzly;
    private final Listener listener;
    // guarded by this: frames queued but not yet handed to Grizzly
    private byte[] batch;
    private int length;
    private int frames;
    private long payloadBytes;
    /** Set while some thread's read will write this writer out when it is handled. */
    private boolean held;
    /** The most frames one write carried (tests). */
    private int mostFramesPerWrite;

    FrameWriter(Connection<?> grizzly, Listener listener) {
        this.grizzly = grizzly;
        this.listener = listener;
    }

    Connection<?> connection() {
        return grizzly;
    }

    /**
     * Runs {@code read} (the handling of one read: its frames and the handlers they reach), holding
     * the frames this thread writes meanwhile; writes them out, one write per connection, when it
     * returns or throws. Always on the calling thread, so nothing else completes it.
     */
    static <T> T whileReading(Callable<T> read) throws Exception {
        Reading reading = READING.get();
        reading.depth++;
        try {
            return read.call();
        } finally {
            if (--reading.depth == 0) {
                reading.writeOut();
            }
        }
    }

    void write(SharedText message) {
        Reading reading = READING.get();
        synchronized (this) {
            append(message, reading.depth > 0);
            if (reading.depth == 0) {
                // also what another thread's read holds here: it was queued first, so it leaves first
                writeHeld();
            } else if (!held) {
                held = true;
                reading.writers.add(this);
            }
        }
    }

    /** Hands every queued frame to Grizzly now: before a close frame or a message Tyrus writes, say. */
    synchronized void flush() {
        held = false;
        writeHeld();
    }

    /** The most frames one write carried so far (tests). */
    synchronized int mostFramesPerWrite() {
        return mostFramesPerWrite;
    }

    // holding the lock
    private void append(SharedText message, boolean reading) {
        int size = message.frameLength();
        if (batch == null) {
            batch = new byte[reading ? Math.max(FIRST_BATCH_BYTES, size) : size];
        } else if (length + size > batch.length) {
            batch = Arrays.copyOf(batch, Math.max(2 * batch.length, length + size));
        }
        message.copyFrameTo(batch, length);
        length += size;
        frames++;
        payloadBytes += message.payloadLength();
    }

    // holding the lock: Grizzly queues writes in the order they are handed over
    private void writeHeld() {
        if (frames == 0) {
            return;
        }
        Written written = new Written(frames, payloadBytes);
        mostFramesPerWrite = Math.max(mostFramesPerWrite, frames);
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

    /** One thread's read in progress: how deep, and the writers holding frames for it. */
    private static final class Reading {

        private final List<FrameWriter> writers = new ArrayList<>();
        private int depth;

        void writeOut() {
            // a writer flushed meanwhile by another thread is flushed again: nothing happens
            for (FrameWriter writer : writers) {
                writer.flush();
            }
            writers.clear();
        }
    }
}
