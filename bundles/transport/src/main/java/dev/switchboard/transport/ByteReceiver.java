package dev.switchboard.transport;

import java.nio.ByteBuffer;

/**
 * Takes the bytes a {@link ByteSource} delivers. Called on a transport I/O thread, one call at a
 * time: never block here (write on, or {@link ByteSource#pause()} the source).
 */
public interface ByteReceiver {

    /** The next bytes; the buffer is the receiver's from now on (no copy is kept or reused). */
    void onBytes(ByteBuffer bytes);

    /** The peer sends nothing more: a TCP half-close, or the end of a request body. */
    default void onEnd() {
    }

    /**
     * The source is closed for good. {@code reset}: it ended abnormally (connection reset, I/O
     * error, closed by us mid-way) rather than after both directions ended.
     */
    default void onClosed(boolean reset) {
    }
}
