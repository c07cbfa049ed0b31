package dev.switchboard.proxy.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The sending half of a {@link Tunnel}: control frames first, then every stream with bytes and
 * window in turn, at most {@code maxFrame} bytes per stream per turn, several streams' frames in one
 * tunnel message, a bounded number of messages in flight. So a stream without window (its reader
 * is slow) waits alone, and the connection's send queue never overflows. While a received message
 * is handled the writer is corked: the frames its handlers queue (credit for each stream's bytes,
 * their answers) leave in one message when it is done, not one small message each. State is
 * guarded by the tunnel's lock.
 */
final class TunnelWriter {

    /** Tunnel messages written but not yet completed. */
    static final int MESSAGES_IN_FLIGHT = 4;

    private final Tunnel tunnel;
    private final TunnelOutput output;
    private final int peerMaxFrame;
    private final long streamBuffer;

    // guarded by tunnel
    private final Deque<TunnelFrame> control = new ArrayDeque<>();
    private final Deque<TunnelStream> ready = new ArrayDeque<>();
    private int inFlight;
    private int corked;
    private boolean pumping;
    private boolean closed;

    TunnelWriter(Tunnel tunnel, TunnelOutput output, int peerMaxFrame, long streamBuffer) {
        this.tunnel = tunnel;
        this.output = output;
        this.peerMaxFrame = peerMaxFrame;
        this.streamBuffer = streamBuffer;
    }

    /** Queues a control frame; the caller holds the lock and pumps after releasing it. */
    void control(TunnelFrame frame) {
        control.add(frame);
    }

    /** Puts a stream in the turn when it has bytes and window; the caller holds the lock. */
    void markReady(TunnelStream stream) {
        if (!stream.ready && !stream.finished && stream.queued > 0 && stream.sendWindow > 0) {
            stream.ready = true;
            ready.add(stream);
        }
    }

    /** Queues END once the stream's bytes are all sent; the caller holds the lock. */
    void endIfDrained(TunnelStream stream) {
        if (stream.endQueued && !stream.endSent && stream.queued == 0) {
            stream.endSent = true;
            control.add(new TunnelFrame.End(stream.id));
            tunnel.finishIfDone(stream);
        }
    }

    /** Holds what is queued until {@link #uncork}; the caller holds the lock. */
    void cork() {
        corked++;
    }

    /** Ends a {@link #cork}; the caller holds the lock and pumps after releasing it. */
    void uncork() {
        corked--;
    }

    /** Drops everything queued; nothing is sent any more. The caller holds the lock. */
    void close() {
        closed = true;
        control.clear();
        ready.clear();
    }

    /**
     * Writes what can be written. One thread pumps at a time, so messages leave in the order they
     * were built; the others leave their work to it.
     */
    void pump() {
        while (true) {
            List<List<ByteBuffer>> messages = new ArrayList<>(1);
            List<TunnelStream> writable = new ArrayList<>(0);
            synchronized (tunnel) {
                if (pumping || closed || corked > 0) {
                    return;
                }
                while (inFlight < MESSAGES_IN_FLIGHT && (!control.isEmpty() || !ready.isEmpty())) {
                    messages.add(batch(writable));
                    inFlight++;
                }
                if (messages.isEmpty()) {
                    return;
                }
                pumping = true;
            }
            try {
                for (List<ByteBuffer> message : messages) {
                    output.send(message).whenComplete((ok, error) -> sent(error));
                }
            } finally {
                synchronized (tunnel) {
                    pumping = false;
                }
            }
            writable.forEach(Tunnel::notifyWritable);
        }
    }

    private void sent(Throwable error) {
        synchronized (tunnel) {
            inFlight--;
        }
        if (error != null) {
            tunnel.close(1001, "tunnel write failed: " + error.getMessage());
        } else {
            pump();
        }
    }

    /**
     * One message's worth of frames, about as large as the largest DATA the peer takes (its tunnel
     * messages may be four times that), as parts: DATA payloads are not copied here, only into the
     * WebSocket frame.
     */
    private List<ByteBuffer> batch(List<TunnelStream> writable) {
        List<TunnelFrame> frames = new ArrayList<>();
        int size = 0;
        while (!control.isEmpty() && size < peerMaxFrame) {
            TunnelFrame frame = control.poll();
            frames.add(frame);
            size += ProxyCodec.size(frame);
        }
        while (!ready.isEmpty() && size < peerMaxFrame) {
            TunnelStream stream = ready.poll();
            stream.ready = false;
            TunnelFrame.Data data = take(stream, peerMaxFrame - size);
            frames.add(data);
            size += ProxyCodec.size(data);
            if (stream.writerWaiting && stream.queued < streamBuffer) {
                stream.writerWaiting = false;
                writable.add(stream);
            }
            endIfDrained(stream);
            markReady(stream);
        }
        List<ByteBuffer> message = new ArrayList<>(2 * frames.size());
        frames.forEach(frame -> ProxyCodec.encodeParts(frame, message));
        return message;
    }

    /** Up to {@code limit} queued bytes of {@code stream} within its window, as one DATA. */
    private TunnelFrame.Data take(TunnelStream stream, int limit) {
        int length = (int) Math.min(limit, Math.min(stream.sendWindow, stream.queued));
        ByteBuffer head = stream.queue.peek();
        ByteBuffer bytes;
        if (head.remaining() <= length) {
            bytes = stream.queue.poll();
        } else {
            bytes = head.slice(head.position(), length);
            head.position(head.position() + length);
        }
        int taken = bytes.remaining();
        stream.queued -= taken;
        stream.sendWindow -= taken;
        tunnel.sent(stream, taken);
        return new TunnelFrame.Data(stream.id, bytes);
    }
}
