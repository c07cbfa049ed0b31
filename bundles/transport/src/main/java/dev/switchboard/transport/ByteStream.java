package dev.switchboard.transport;

import java.net.InetSocketAddress;

/**
 * A TCP connection carrying raw bytes both ways, after an HTTP head when there was one: a
 * WebSocket's frames, permessage-deflate, pings and closes pass untouched. TCP_NODELAY and
 * SO_KEEPALIVE are on. {@link #end()} half-closes; the stream closes itself once both
 * directions ended. Every method is safe from any thread and never blocks.
 */
public interface ByteStream extends ByteSource, ByteSink, AutoCloseable {

    InetSocketAddress remoteAddress();

    /** Changes the write limit of {@link ByteSink#write} (bytes, positive). */
    void writeLimit(int bytes);

    /** Bytes delivered to the receiver so far. */
    long bytesRead();

    /** Bytes queued for writing so far. */
    long bytesWritten();

    boolean isOpen();

    /**
     * Ends the current receiver's turn: bytes, an end or a close that come later wait for the next
     * {@link #receive}. For a kept-alive HTTP connection between two exchanges; called by the
     * receiver whose response ended, or before taking an idle connection for a new exchange.
     */
    void release();

    /** Closes both directions after the queued bytes are written. Idempotent. */
    @Override
    void close();
}
