package dev.switchboard.relay.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSource;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Sends one body over the control channel as DATA frames and an END frame, never more than
 * {@link #WINDOW} bytes ahead of the other side's acks: the source is paused while the window is
 * used up, so a body of any size moves in bounded memory and one slow reader stalls only its own
 * request.
 */
final class BodySender implements ByteReceiver {

    /** Bytes of one body in flight before the sender waits for an ack. */
    static final int WINDOW = 256 * 1024;
    /** Payload of one DATA frame at most: a socket read can be far bigger than a control message may be. */
    static final int MAX_FRAME = 64 * 1024;

    private final long id;
    private final ByteSource source;
    private final Consumer<ByteBuffer> frames;
    private final Runnable ended;
    private final Runnable aborted;
    private long credit = WINDOW;
    private boolean paused;

    /**
     * @param frames  sends a binary frame on the control channel
     * @param ended   runs once the END frame is sent
     * @param aborted runs when the source broke off before its end
     */
    BodySender(long id, ByteSource source, Consumer<ByteBuffer> frames, Runnable ended, Runnable aborted) {
        this.id = id;
        this.source = source;
        this.frames = frames;
        this.ended = ended;
        this.aborted = aborted;
    }

    void start() {
        source.receive(this);
    }

    @Override
    public void onBytes(ByteBuffer bytes) {
        int length = bytes.remaining();
        while (bytes.hasRemaining()) {
            int size = Math.min(MAX_FRAME, bytes.remaining());
            frames.accept(RelayCodec.data(id, bytes.slice(bytes.position(), size)));
            bytes.position(bytes.position() + size);
        }
        // pause and resume under the lock: an ack between deciding and pausing would leave the source paused for good
        synchronized (this) {
            credit -= length;
            if (credit <= 0 && !paused) {
                paused = true;
                source.pause();
            }
        }
    }

    /** The other side took {@code bytes} more. */
    void acked(long bytes) {
        synchronized (this) {
            credit += bytes;
            if (paused && credit > 0) {
                paused = false;
                source.resume();
            }
        }
    }

    @Override
    public void onEnd() {
        frames.accept(RelayCodec.end(id));
        ended.run();
    }

    @Override
    public void onClosed(boolean reset) {
        if (reset) {
            aborted.run();
        }
    }
}
