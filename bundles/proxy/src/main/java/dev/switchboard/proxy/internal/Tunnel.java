package dev.switchboard.proxy.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The stream multiplexer of one tunnel connection, the same on both sides (PROTOCOL.md §2–§6):
 * stream table, windows, and the writer that serves streams with bytes and window in turn, a
 * bounded number of tunnel messages in flight. State is guarded by this object; handlers are
 * called outside the lock.
 */
public final class Tunnel {

    /** The agent side's opener of streams the controller asks for. */
    public interface Acceptor {
        /** A new stream; returns its handler (it may replace it later). */
        TunnelStream.Handler open(TunnelStream stream, ByteBuffer head);
    }

    private final String name;
    private final TunnelOutput output;
    private final TunnelWriter writer;
    private final ProxyCodec codec;
    private final int receiveWindow;
    private final int sendWindow;
    private final int peerMaxFrame;
    private final Acceptor acceptor;
    private final IntSupplier streamIds;

    // guarded by this
    private final Map<Integer, TunnelStream> streams = new HashMap<>();
    private int highestId;
    private boolean closed;
    private long bytesIn;
    private long bytesOut;
    private volatile long lastReceived = System.nanoTime();
    private volatile long roundTripNanos = -1;

    /**
     * @param receiveWindow what this side grants per stream (its hello or welcome)
     * @param maxFrame      the largest DATA this side accepts
     * @param sendWindow    what the peer grants per stream
     * @param peerMaxFrame  the largest DATA the peer accepts
     * @param acceptor      the agent's opener; null on the controller, which opens streams itself
     * @param streamIds     the controller's ids for new streams, increasing, shared by an agent's tunnel
     *                      connections so that an id names one stream of the agent; null on the agent
     */
    public Tunnel(String name, TunnelOutput output, int receiveWindow, int maxFrame, int sendWindow, int peerMaxFrame,
                  Acceptor acceptor, IntSupplier streamIds) {
        this.name = name;
        this.output = output;
        this.codec = new ProxyCodec(maxFrame);
        this.receiveWindow = receiveWindow;
        this.sendWindow = sendWindow;
        this.peerMaxFrame = peerMaxFrame;
        this.acceptor = acceptor;
        this.streamIds = streamIds;
        this.writer = new TunnelWriter(this, output, peerMaxFrame, sendWindow);
    }

    public String name() {
        return name;
    }

    // --- opening ---------------------------------------------------------------------------------

    /** Controller side: opens a stream to {@code service} with the request head; null once closed. */
    public TunnelStream open(String service, ByteBuffer head, TunnelStream.Handler handler) {
        TunnelStream stream;
        synchronized (this) {
            int id = closed ? 0 : streamIds.getAsInt();
            if (id <= highestId) {
                return null; // closed, or past 2^31-1
            }
            highestId = id;
            stream = new TunnelStream(this, id, service, handler, sendWindow, receiveWindow);
            streams.put(stream.id, stream);
            writer.control(new TunnelFrame.Open(stream.id, service, head));
        }
        pump();
        return stream;
    }

    // --- receiving -------------------------------------------------------------------------------

    /** One binary tunnel message from the peer; a protocol error closes the tunnel with 4400. */
    public void receive(ByteBuffer message) {
        lastReceived = System.nanoTime();
        // what the frames' handlers answer (credit, resets, bytes) leaves together, once they all ran
        synchronized (this) {
            writer.cork();
        }
        try {
            for (TunnelFrame frame : codec.decode(message)) {
                dispatch(frame);
            }
        } catch (TunnelProtocolException e) {
            close(TunnelProtocolException.CLOSE_CODE, e.getMessage());
        } finally {
            synchronized (this) {
                writer.uncork();
            }
        }
        pump();
    }

    private void dispatch(TunnelFrame frame) throws TunnelProtocolException {
        if (frame instanceof TunnelFrame.Ping ping) {
            synchronized (this) {
                writer.control(new TunnelFrame.Pong(ping.payload()));
            }
            return;
        }
        if (frame instanceof TunnelFrame.Pong pong) {
            roundTripNanos = System.nanoTime() - pong.payload();
            return;
        }
        if (frame instanceof TunnelFrame.Open open) {
            opened(open);
            return;
        }
        TunnelStream stream;
        TunnelStream.Handler handler;
        synchronized (this) {
            if (closed) {
                return;
            }
            stream = streams.get(frame.streamId());
            if (stream == null) {
                if (frame.streamId() > highestId) {
                    throw new TunnelProtocolException("frame for unknown stream " + frame.streamId());
                }
                return; // it crossed a RESET on the wire
            }
            handler = stream.handler;
            if (!update(stream, frame)) {
                return;
            }
        }
        if (frame instanceof TunnelFrame.Data data) {
            handler.onData(stream, data.bytes());
        } else if (frame instanceof TunnelFrame.End) {
            handler.onEnd(stream);
        } else if (frame instanceof TunnelFrame.Reset reset) {
            handler.onReset(stream, reset.code(), reset.reason());
        } else if (frame instanceof TunnelFrame.Accept accept) {
            handler.onAccept(stream, accept.head());
        } else if (frame instanceof TunnelFrame.Window) {
            notifyWritable(stream);
        }
    }

    /** Applies a stream frame to the stream's state; false when no handler call follows. */
    private boolean update(TunnelStream stream, TunnelFrame frame) throws TunnelProtocolException {
        if (frame instanceof TunnelFrame.Data data) {
            int length = data.bytes().remaining();
            if (stream.endReceived) {
                throw new TunnelProtocolException("DATA after END on stream " + stream.id);
            }
            if (length > stream.receiveCredit) {
                throw new TunnelProtocolException("window overrun on stream " + stream.id);
            }
            stream.receiveCredit -= length;
            stream.bytesIn += length;
            bytesIn += length;
        } else if (frame instanceof TunnelFrame.End) {
            stream.endReceived = true;
            finishIfDone(stream);
        } else if (frame instanceof TunnelFrame.Reset) {
            finish(stream);
        } else if (frame instanceof TunnelFrame.Accept) {
            if (acceptor != null) {
                throw new TunnelProtocolException("ACCEPT from the controller");
            }
        } else if (frame instanceof TunnelFrame.Window window) {
            stream.sendWindow += window.increment();
            if (stream.sendWindow > Integer.MAX_VALUE) {
                throw new TunnelProtocolException("window above 2^31-1 on stream " + stream.id);
            }
            writer.markReady(stream);
            return stream.writerWaiting && stream.queued < sendWindow;
        }
        return true;
    }

    private void opened(TunnelFrame.Open open) throws TunnelProtocolException {
        TunnelStream stream;
        synchronized (this) {
            if (acceptor == null) {
                throw new TunnelProtocolException("OPEN from the agent");
            }
            if (open.streamId() <= highestId) {
                throw new TunnelProtocolException("stream id " + open.streamId() + " reused");
            }
            if (closed) {
                return;
            }
            highestId = open.streamId();
            stream = new TunnelStream(this, open.streamId(), open.service(), null, sendWindow, receiveWindow);
            streams.put(stream.id, stream);
        }
        stream.handler = acceptor.open(stream, open.head());
    }

    // --- sending ---------------------------------------------------------------------------------

    /** Resets the open stream {@code id} as if its side had; false when there is none. */
    public boolean reset(int id, ResetCode code, String reason) {
        TunnelStream stream;
        synchronized (this) {
            stream = streams.get(id);
        }
        if (stream == null) {
            return false;
        }
        stream.reset(code, reason);
        TunnelStream.Handler handler = stream.handler;
        if (handler != null) {
            handler.onReset(stream, code, reason);
        }
        return true;
    }

    /** Sends a PING carrying the current time; its PONG gives {@link #roundTripMillis()}. */
    public void ping() {
        synchronized (this) {
            writer.control(new TunnelFrame.Ping(System.nanoTime()));
        }
        pump();
    }

    /** The caller holds the lock. */
    void finishIfDone(TunnelStream stream) {
        if (stream.endSent && stream.endReceived) {
            finish(stream);
        }
    }

    /** The caller holds the lock. */
    void finish(TunnelStream stream) {
        stream.finished = true;
        stream.queue.clear();
        stream.queued = 0;
        streams.remove(stream.id);
    }

    // --- closing and figures -------------------------------------------------------------------

    /** Closes the tunnel connection with {@code code} and ends every stream (PROTOCOL.md §6). */
    public void close(int code, String reason) {
        if (end(reason)) {
            output.close(code, reason);
        }
    }

    /** The connection under the tunnel is gone: ends every stream. */
    public void lost(String reason) {
        end(reason);
    }

    private boolean end(String reason) {
        List<TunnelStream> open;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            open = new ArrayList<>(streams.values());
            open.forEach(this::finish);
            writer.close();
        }
        for (TunnelStream stream : open) {
            TunnelStream.Handler handler = stream.handler;
            if (handler != null) {
                handler.onReset(stream, ResetCode.CANCEL, reason);
            }
        }
        return true;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Nanoseconds since the peer last sent anything. */
    public long silentNanos() {
        return System.nanoTime() - lastReceived;
    }

    /** The last PING's round trip, or -1 before the first PONG. */
    public double roundTripMillis() {
        long nanos = roundTripNanos;
        return nanos < 0 ? -1 : nanos / 1e6;
    }

    public synchronized int openStreams() {
        return streams.size();
    }

    /** Stream bytes received and sent (DATA payloads), over the tunnel's life. */
    public synchronized long bytesIn() {
        return bytesIn;
    }

    public synchronized long bytesOut() {
        return bytesOut;
    }

    /** Bytes queued for the peer, every stream together: bounded by one window per stream. */
    public synchronized long queuedBytes() {
        long total = 0;
        for (TunnelStream stream : streams.values()) {
            total += stream.queued;
        }
        return total;
    }

    /** Counts DATA bytes the writer took; the caller holds the lock. */
    void sent(TunnelStream stream, int bytes) {
        stream.bytesOut += bytes;
        bytesOut += bytes;
    }

    /** The writer; its methods that say so need the lock. */
    TunnelWriter writer() {
        return writer;
    }

    /** Writes what can be written (the writer's work, exposed for callers outside the lock). */
    public void pump() {
        writer.pump();
    }

    static void notifyWritable(TunnelStream stream) {
        TunnelStream.Handler handler = stream.handler;
        if (handler != null) {
            handler.onWritable(stream);
        }
    }
}
