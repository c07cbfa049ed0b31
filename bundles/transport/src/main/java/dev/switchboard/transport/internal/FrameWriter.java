package dev.switchboard.transport.internal;

import dev.switchboard.transport.SharedText;
import java.util.Arrays;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.grizzly.nio.NIOTransport;
import org.glassfish.grizzly.nio.SelectorHandler;
import org.glassfish.grizzly.nio.SelectorRunner;

/**
 * Writes one server connection's shared frames straight to its Grizzly connection, as they were
 * encoded once for every subscriber (Tyrus would encode, copy and wrap each message per
 * connection).
 *
 * <p>Frames sent on the connection's own selector thread (a handler that never blocks, handling a
 * read) are corked: they gather per connection and leave in one write from that selector loop,
 * which runs the flush before it selects again — after every read of this round was handled, so a
 * publisher whose one read carried many messages costs each subscriber one write, not one per
 * message. Grizzly runs the flush as long as the loop runs; if it cannot take the task (it
 * stopped), the frames are written at once. Frames sent on any other thread (a timer, the router)
 * leave at once, with whatever was corked before them. A connection's frames leave in the order
 * of the {@link #write} calls; {@link #flush} puts corked frames out ahead of a frame Tyrus writes.
 */
final class FrameWriter {

    /** Told when written frames left, or could not (the connection is gone). */
    interface Listener {
        void written(int frames, long payloadBytes);

        void failed(int frames, Throwable error);
    }

    /** The first batch of a corked round; it doubles as needed. */
    private static final int FIRST_BATCH_BYTES = 512;

    private final Connection<?> grizzly;
    private final Listener listener;
    private final boolean corks;
    private final SelectorHandler.Task flushTask = () -> {
        flush();
        return true;
    };
    private final CompletionHandler<SelectorHandler.Task> flushNotTaken = new EmptyCompletionHandler<>() {
        @Override
        public void failed(Throwable error) {
            flush();
        }
    };
    // guarded by this: frames not yet handed to Grizzly
    private byte[] batch;
    private int length;
    private int frames;
    private long payloadBytes;
    /** Frames corked now, for readers without the lock. */
    private volatile int corked;
    /** A flush is queued on the connection's selector loop. */
    private boolean flushQueued;
    /** The most frames one write carried (tests). */
    private int mostFramesPerWrite;

    FrameWriter(Connection<?> grizzly, Listener listener) {
        this.grizzly = grizzly;
        this.listener = listener;
        this.corks = grizzly instanceof NIOConnection;
    }

    Connection<?> connection() {
        return grizzly;
    }

    void write(SharedText message) {
        boolean cork = corks && onOwnLoop();
        synchronized (this) {
            append(message, cork);
            if (!cork) {
                writeHeld();
                return;
            }
            if (flushQueued) {
                return;
            }
            flushQueued = true;
        }
        NIOConnection nio = (NIOConnection) grizzly;
        try {
            // on the connection's own loop this only queues it for the loop's next round (no wake-up)
            ((NIOTransport) nio.getTransport()).getSelectorHandler().enque(nio.getSelectorRunner(), flushTask, flushNotTaken);
        } catch (RuntimeException e) {
            flush();
        }
    }

    /** True on the thread running the connection's selector loop (an identity check: no thread-local lookup). */
    private boolean onOwnLoop() {
        SelectorRunner runner = ((NIOConnection) grizzly).getSelectorRunner();
        return runner != null && runner.getRunnerThread() == Thread.currentThread();
    }

    /** Hands every corked frame to Grizzly now: before a close frame or a message Tyrus writes, say. */
    synchronized void flush() {
        flushQueued = false;
        writeHeld();
    }

    /**
     * Frames sent but not yet handed to Grizzly, waiting for this round of the selector loop to
     * end: they wait for us, not for the peer, so they do not make it a slow consumer.
     */
    int corked() {
        return corked;
    }

    /** The most frames one write carried so far (tests). */
    synchronized int mostFramesPerWrite() {
        return mostFramesPerWrite;
    }

    // holding the lock
    private void append(SharedText message, boolean cork) {
        int size = message.frameLength();
        if (batch == null) {
            batch = new byte[cork ? Math.max(FIRST_BATCH_BYTES, size) : size];
        } else if (length + size > batch.length) {
            batch = Arrays.copyOf(batch, Math.max(2 * batch.length, length + size));
        }
        message.copyFrameTo(batch, length);
        length += size;
        corked = ++frames;
        payloadBytes += message.payloadLength();
    }

    // holding the lock: Grizzly queues writes in the order they are handed over
    private void writeHeld() {
        if (frames == 0) {
            return;
        }
        Written written = new Written(frames, payloadBytes);
        mostFramesPerWrite = Math.max(mostFramesPerWrite, frames);
        Buffer bytes = Buffers.wrap(grizzly.getMemoryManager(), batch, 0, length);
        batch = null;
        length = 0;
        frames = 0;
        corked = 0;
        payloadBytes = 0;
        try {
            write(grizzly, bytes, written);
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
