package dev.switchboard.proxy.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One stream of a {@link Tunnel}: a pair of byte streams with a window each way
 * (PROTOCOL.md §4). Its state is guarded by its tunnel; every method is thread-safe.
 */
public final class TunnelStream {

    /** What happens to a stream, called outside the tunnel's lock, one call at a time per stream. */
    public interface Handler {

        /** Controller side: the service answered with {@code head} (its HTTP response head). */
        default void onAccept(TunnelStream stream, ByteBuffer head) {
        }

        /**
         * Bytes of the peer; the buffer is the handler's. Call {@link TunnelStream#consumed} once
         * they are written onward, so the peer may send more.
         */
        void onData(TunnelStream stream, ByteBuffer bytes);

        /** The peer sends no more. */
        void onEnd(TunnelStream stream);

        /** The stream is gone (reset by the peer, or its tunnel lost); no further call follows. */
        void onReset(TunnelStream stream, ResetCode code, String reason);

        /** After {@link TunnelStream#write} returned false: room again, read the source on. */
        default void onWritable(TunnelStream stream) {
        }
    }

    final Tunnel tunnel;
    final int id;
    /** What this side grants the peer on this stream. */
    private final int receiveWindow;
    /** Bytes queued before {@link #write} says stop: one window. */
    private final int bufferLimit;
    /** Consumed bytes worth a WINDOW frame: a quarter of the window. */
    private final int creditThreshold;
    final String service;
    volatile Handler handler;

    // guarded by tunnel
    final Deque<ByteBuffer> queue = new ArrayDeque<>();
    long queued;
    long sendWindow;
    long receiveCredit;
    int unacknowledged;
    boolean ready;
    boolean endQueued;
    boolean endSent;
    boolean endReceived;
    boolean writerWaiting;
    boolean finished;
    long bytesIn;
    long bytesOut;

    TunnelStream(Tunnel tunnel, int id, String service, Handler handler, int sendWindow, int receiveWindow) {
        this.tunnel = tunnel;
        this.id = id;
        this.service = service;
        this.handler = handler;
        this.sendWindow = sendWindow;
        this.receiveCredit = receiveWindow;
        this.receiveWindow = receiveWindow;
        this.bufferLimit = sendWindow;
        this.creditThreshold = receiveWindow / 4;
    }

    public int id() {
        return id;
    }

    public String service() {
        return service;
    }

    public Tunnel tunnel() {
        return tunnel;
    }

    /** The bytes the peer may send on this stream before it is given credit. */
    public int receiveWindow() {
        return receiveWindow;
    }

    /** Replaces the handler (the agent sets its own once the service is connected). */
    public void handler(Handler next) {
        handler = next;
    }

    /**
     * Queues {@code bytes} (taken over, not copied) to go as DATA within the window. Returns false
     * once a window's worth waits: stop reading the source until {@link Handler#onWritable}. Bytes
     * written after the stream is finished are dropped.
     */
    public boolean write(ByteBuffer bytes) {
        boolean room;
        synchronized (tunnel) {
            if (finished || endQueued) {
                return true;
            }
            if (bytes.hasRemaining()) {
                queue.add(bytes);
                queued += bytes.remaining();
                tunnel.writer().markReady(this);
            }
            room = queued < bufferLimit;
            writerWaiting = !room;
        }
        tunnel.pump();
        return room;
    }

    /**
     * Whether {@link #write} would take more now. A source paused after {@code write} returned
     * false checks this once more and resumes at once if so: the room may have come before the
     * pause, when its {@link Handler#onWritable} found nothing to resume.
     */
    public boolean hasRoom() {
        synchronized (tunnel) {
            return finished || queued < bufferLimit;
        }
    }

    /** Half-closes this side once the queued bytes are sent. */
    public void end() {
        synchronized (tunnel) {
            if (finished || endQueued) {
                return;
            }
            endQueued = true;
            tunnel.writer().endIfDrained(this);
        }
        tunnel.pump();
    }

    /** Ends the stream both ways at once, dropping what is queued. */
    public void reset(ResetCode code, String reason) {
        synchronized (tunnel) {
            if (finished) {
                return;
            }
            tunnel.finish(this);
            tunnel.writer().control(new TunnelFrame.Reset(id, code, reason));
        }
        tunnel.pump();
    }

    /** Agent side: tells the controller the service answered with {@code head}. */
    public void accept(ByteBuffer head) {
        synchronized (tunnel) {
            if (finished) {
                return;
            }
            tunnel.writer().control(new TunnelFrame.Accept(id, head));
        }
        tunnel.pump();
    }

    /** {@code bytes} of received DATA were written onward: credit goes back to the peer. */
    public void consumed(int bytes) {
        synchronized (tunnel) {
            if (finished || endReceived) {
                return;
            }
            unacknowledged += bytes;
            if (unacknowledged < creditThreshold) {
                return;
            }
            tunnel.writer().control(new TunnelFrame.Window(id, unacknowledged));
            receiveCredit += unacknowledged;
            unacknowledged = 0;
        }
        tunnel.pump();
    }

    /** Bytes received and sent on this stream so far. */
    public long bytesIn() {
        synchronized (tunnel) {
            return bytesIn;
        }
    }

    public long bytesOut() {
        synchronized (tunnel) {
            return bytesOut;
        }
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + service + ")";
    }
}
