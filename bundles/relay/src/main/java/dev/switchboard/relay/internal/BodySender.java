package dev.switchboard.relay.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSource;
import dev.switchboard.transport.ResponseHead;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Sends one body over the control channel as DATA frames and an END frame, never more than
 * {@link #WINDOW} bytes ahead of the other side's acks: the source is paused while the window is
 * used up, so a body of any size moves in bounded memory and one slow reader stalls only its own
 * request.
 *
 * <p>A response body goes with its head: what the source delivers while it starts (the bytes read
 * with the head) waits with it, and if the body ended meanwhile, head, body and end go as one
 * {@link RelayCodec#RESPONSE} frame; else the head goes as a {@code response} message, then the
 * body as above.
 */
final class BodySender implements ByteReceiver {

    /** Bytes of one body in flight before the sender waits for an ack. */
    static final int WINDOW = 256 * 1024;
    /** Payload of one DATA frame at most: a socket read can be far bigger than a control message may be. */
    static final int MAX_FRAME = 64 * 1024;

    /** Where the frames go: binary frames, and the text of a response head sent on its own. */
    interface Frames {
        void sendBinary(ByteBuffer frame);

        void sendText(String message);
    }

    private final long id;
    private final ByteSource source;
    private final Frames frames;
    private final Runnable ended;
    private final Runnable aborted;
    private long credit = WINDOW;
    private boolean paused;
    // guarded by this: a response head not sent yet, and the body bytes waiting with it
    private ResponseHead head;
    private ByteBuffer held;
    private boolean starting;

    /**
     * @param ended   runs once the END frame is sent
     * @param aborted runs when the source broke off before its end
     */
    BodySender(long id, ByteSource source, Consumer<ByteBuffer> frames, Runnable ended, Runnable aborted) {
        this(id, source, new Frames() {
            @Override
            public void sendBinary(ByteBuffer frame) {
                frames.accept(frame);
            }

            @Override
            public void sendText(String message) {
                throw new IllegalStateException("a request body has no head to send");
            }
        }, null, ended, aborted);
    }

    /** A response body, sent after {@code head} or with it. */
    BodySender(long id, ByteSource source, Frames frames, ResponseHead head, Runnable ended, Runnable aborted) {
        this.id = id;
        this.source = source;
        this.frames = frames;
        this.head = head;
        this.ended = ended;
        this.aborted = aborted;
    }

    void start() {
        synchronized (this) {
            starting = head != null;
        }
        source.receive(this);
        synchronized (this) {
            starting = false;
            sendHead();
        }
    }

    @Override
    public void onBytes(ByteBuffer bytes) {
        int length = bytes.remaining();
        synchronized (this) {
            if (starting && (held == null ? 0 : held.remaining()) + length <= MAX_FRAME) {
                held = join(held, bytes);
                credit -= length;
                return;
            }
            sendHead();
        }
        while (bytes.hasRemaining()) {
            int size = Math.min(MAX_FRAME, bytes.remaining());
            frames.sendBinary(RelayCodec.data(id, bytes.slice(bytes.position(), size)));
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
        synchronized (this) {
            if (head != null) {
                frames.sendBinary(RelayCodec.response(id, head, held == null ? ByteBuffer.allocate(0) : held));
                head = null;
                held = null;
            } else {
                frames.sendBinary(RelayCodec.end(id));
            }
        }
        ended.run();
    }

    @Override
    public void onClosed(boolean reset) {
        if (reset) {
            synchronized (this) {
                sendHead();
            }
            aborted.run();
        }
    }

    /** The head and the bytes held with it, if not sent yet; guarded by this. */
    private void sendHead() {
        if (head == null) {
            return;
        }
        frames.sendText(RelayCodec.response(id, head));
        head = null;
        if (held != null) {
            frames.sendBinary(RelayCodec.data(id, held));
            held = null;
        }
    }

    private static ByteBuffer join(ByteBuffer held, ByteBuffer bytes) {
        if (held == null) {
            ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
            return copy.put(bytes).flip();
        }
        return ByteBuffer.allocate(held.remaining() + bytes.remaining()).put(held).put(bytes).flip();
    }
}
