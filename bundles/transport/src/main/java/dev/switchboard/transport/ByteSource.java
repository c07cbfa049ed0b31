package dev.switchboard.transport;

/** Bytes arriving, delivered with backpressure: nothing is read while paused. */
public interface ByteSource {

    /**
     * Starts delivering to {@code receiver}, first any bytes already read (past an HTTP head).
     * Once per source.
     */
    void receive(ByteReceiver receiver);

    /**
     * Stops reading after the read under way: at most one more {@link ByteReceiver#onBytes}
     * call follows. The peer then meets TCP flow control.
     */
    void pause();

    /** Reads again after {@link #pause()}. */
    void resume();
}
