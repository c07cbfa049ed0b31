package dev.switchboard.transport;

import java.nio.ByteBuffer;

/**
 * Bytes leaving, queued without blocking. The queue has a limit (64 KiB by default): a writer
 * that goes on past it is the writer's choice; a splice stops reading its source instead.
 */
public interface ByteSink {

    /** The default limit of unwritten bytes before {@link #write} answers {@code false}. */
    int DEFAULT_WRITE_LIMIT = 64 * 1024;

    /**
     * Queues {@code bytes} (the sink owns the buffer from now on). Returns whether the sink takes
     * more: {@code false} once the unwritten bytes reach the limit; then wait for
     * {@link #whenWritable}. Bytes written after {@link #end()} or a close are dropped.
     */
    boolean write(ByteBuffer bytes);

    /** Runs {@code task} once, as soon as the unwritten bytes are under the limit (at once if they are). */
    void whenWritable(Runnable task);

    /** No more bytes: a TCP half-close (FIN) or the end of a response body, after the queued bytes. */
    void end();

    /** Gives up at once: queued bytes are dropped and the peer sees a reset. */
    void abort();
}
