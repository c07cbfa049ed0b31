package dev.switchboard.transport.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseType;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.GenericCloseListener;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.utils.IdleTimeoutFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ByteStream} on one Grizzly TCP connection. Its events run through {@link #PROCESSOR},
 * whose {@link RawReadFilter} reads the socket itself, so a peer's FIN is a half-close here
 * (Grizzly's own transport filter closes the whole connection on it). Writes go straight to the
 * transport's async write queue, whose per-connection limit makes {@code canWrite} meaningful.
 *
 * <p>Backpressure on reads is Grizzly's TunnelFilter pattern: a read context is suspended
 * ("parked") while paused or while nobody receives yet, which keeps OP_READ off, and resumed later.
 */
final class GrizzlyByteStream implements ByteStream {

    static final Attribute<GrizzlyByteStream> ATTRIBUTE =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(GrizzlyByteStream.class.getName());
    /** The filter chain of every stream connection, server and client side. */
    static final FilterChain PROCESSOR = FilterChainBuilder.stateless().add(new RawReadFilter()).build();

    private static final Logger LOG = LoggerFactory.getLogger(GrizzlyByteStream.class);

    private final Connection<?> connection;
    private final InetSocketAddress remote;
    /** The idle-timeout filter of the chain the connection left, or null. */
    private final IdleTimeoutFilter idleTimeout;

    // reading, guarded by this: bytes read before anyone receives wait in early
    private final ArrayDeque<ByteBuffer> early = new ArrayDeque<>();
    private ByteReceiver receiver;
    private boolean paused;
    private boolean inputEnded;
    private boolean closedBeforeReceive;
    private FilterChainContext parked;
    private volatile long bytesRead;

    // writing
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicInteger unfinishedWrites = new AtomicInteger();
    private final AtomicBoolean outputShut = new AtomicBoolean();
    private final AtomicBoolean closeReported = new AtomicBoolean();
    private volatile boolean outputEnding;
    private volatile boolean reset;
    private final CompletionHandler<WriteResult> writeDone = new EmptyCompletionHandler<>() {
        @Override
        public void completed(WriteResult result) {
            if (unfinishedWrites.decrementAndGet() == 0 && outputEnding) {
                shutOutput();
            }
        }

        @Override
        public void failed(Throwable error) {
            unfinishedWrites.decrementAndGet();
            fail(error);
        }
    };

    /**
     * Takes over {@code connection} as a raw stream: its events run through {@link #PROCESSOR}
     * from the next one on; bytes already read past a head go in {@code first}.
     */
    GrizzlyByteStream(Connection<?> connection, ByteBuffer first) {
        this.connection = connection;
        this.remote = (InetSocketAddress) connection.getPeerAddress();
        if (first != null && first.hasRemaining()) {
            early.add(first);
        }
        connection.setMaxAsyncWriteQueueSize(DEFAULT_WRITE_LIMIT);
        this.idleTimeout = idleTimeoutOf(connection);
        IdleTimeoutFilter.setCustomTimeout(connection, -1, TimeUnit.MILLISECONDS);
        Socket socket = channel().socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
        } catch (IOException e) {
            LOG.debug("stream to {}: socket options not set: {}", remote, e.toString());
        }
        ATTRIBUTE.set(connection, this);
        connection.setProcessor(PROCESSOR);
        // an upgraded server connection: the codec reads it no more, its request need not stay
        UpgradedChain.dropCodecState(connection);
        connection.addCloseListener((GenericCloseListener) this::onConnectionClosed);
    }

    /** The Grizzly connection under this stream (tests). */
    Connection<?> connection() {
        return connection;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void writeLimit(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("write limit must be positive, got " + bytes);
        }
        connection.setMaxAsyncWriteQueueSize(bytes);
    }

    @Override
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public long bytesWritten() {
        return bytesWritten.get();
    }

    @Override
    public boolean isOpen() {
        return connection.isOpen();
    }

    // --- reading --------------------------------------------------------------------------------

    /**
     * A target may end its turn inside {@code onBytes} of an early buffer (a response complete in the
     * bytes read with its head: the stream goes back to a pool, {@link #release()}d and received by
     * the pool's watch): that nested receive took the stream over, with the early bytes still
     * waiting, and this one stops.
     */
    @Override
    public void receive(ByteReceiver target) {
        boolean ended;
        boolean closed;
        FilterChainContext unpark;
        boolean first = true;
        while (true) {
            ByteBuffer next;
            synchronized (this) {
                if (receiver != null) {
                    if (first) {
                        throw new IllegalStateException("stream from " + remote + " already has a receiver");
                    }
                    return;
                }
                first = false;
                next = early.poll();
                if (next == null) {
                    receiver = target;
                    ended = inputEnded;
                    closed = closedBeforeReceive;
                    unpark = takeParked();
                    break;
                }
            }
            bytesRead += next.remaining();
            target.onBytes(next);
        }
        if (ended) {
            target.onEnd();
        }
        if (closed) {
            target.onClosed(reset);
        } else if (unpark != null) {
            unpark.resume(unpark.getStopAction());
        }
    }

    @Override
    public synchronized void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        FilterChainContext unpark;
        synchronized (this) {
            paused = false;
            unpark = receiver == null ? null : takeParked();
        }
        if (unpark != null) {
            unpark.resume(unpark.getStopAction());
        }
    }

    /** The parked read, when reading may go on; guarded by this. */
    private FilterChainContext takeParked() {
        if (paused || inputEnded) {
            return null;
        }
        FilterChainContext context = parked;
        parked = null;
        return context;
    }

    /** Called by {@link RawReadFilter} with each read. */
    NextAction onRead(FilterChainContext context, Buffer buffer) {
        ByteBuffer bytes = buffer.toByteBuffer();
        ByteReceiver target;
        synchronized (this) {
            target = receiver;
            if (target == null) {
                early.add(bytes);
                return park(context);
            }
        }
        bytesRead += bytes.remaining();
        target.onBytes(bytes);
        synchronized (this) {
            return receiver == null || paused ? park(context) : context.getStopAction();
        }
    }

    /** Called by {@link RawReadFilter} on the peer's FIN: reading stops for good. */
    NextAction onInputEnd(FilterChainContext context) {
        ByteReceiver target;
        NextAction next;
        synchronized (this) {
            inputEnded = true;
            target = receiver;
            next = park(context);
        }
        if (target != null) {
            target.onEnd();
        }
        closeWhenBothEnded();
        return next;
    }

    private NextAction park(FilterChainContext context) {
        NextAction suspend = context.getSuspendAction();
        context.suspend();
        parked = context;
        return suspend;
    }

    @Override
    public synchronized void release() {
        receiver = null;
    }

    /**
     * Called by a head reader inside {@link ByteReceiver#onBytes}: hands the stream on to the next
     * receiver, {@code rest} (the bytes past the head) first.
     */
    synchronized void handOver(ByteBuffer rest) {
        receiver = null;
        if (rest.hasRemaining()) {
            early.addFirst(rest);
        }
    }

    // --- writing --------------------------------------------------------------------------------

    @Override
    public boolean write(ByteBuffer bytes) {
        if (outputEnding || !connection.isOpen()) {
            return true;
        }
        bytesWritten.addAndGet(bytes.remaining());
        unfinishedWrites.incrementAndGet();
        writer().write(connection, Buffers.wrap(connection.getMemoryManager(), bytes), writeDone);
        return connection.canWrite();
    }

    /** Writes a head or a prepared answer as it is. */
    void writeRaw(byte[] bytes) {
        write(ByteBuffer.wrap(bytes));
    }

    @Override
    public void whenWritable(Runnable task) {
        connection.notifyCanWrite(new WriteHandler() {
            @Override
            public void onWritePossible() {
                task.run();
            }

            @Override
            public void onError(Throwable error) {
                task.run();
            }
        });
    }

    @Override
    public void end() {
        outputEnding = true;
        if (unfinishedWrites.get() == 0) {
            shutOutput();
        }
    }

    private void shutOutput() {
        if (!outputShut.compareAndSet(false, true)) {
            return;
        }
        try {
            channel().shutdownOutput();
        } catch (IOException e) {
            LOG.debug("stream to {}: half-close failed: {}", remote, e.toString());
            connection.closeSilently();
            return;
        }
        closeWhenBothEnded();
    }

    private void closeWhenBothEnded() {
        boolean ended;
        synchronized (this) {
            ended = inputEnded;
        }
        if (ended && outputShut.get()) {
            connection.closeSilently();
        }
    }

    @Override
    public void close() {
        connection.closeSilently();
    }

    @Override
    public void abort() {
        reset = true;
        try {
            channel().socket().setSoLinger(true, 0);
        } catch (IOException e) {
            LOG.debug("stream to {}: linger not set: {}", remote, e.toString());
        }
        connection.terminateSilently();
    }

    /** A read or write failed: the connection is reset. */
    void fail(Throwable error) {
        LOG.debug("stream to {} failed: {}", remote, error.toString());
        reset = true;
        connection.terminateSilently();
    }

    private void onConnectionClosed(Closeable closeable, CloseType type) {
        if (!closeReported.compareAndSet(false, true)) {
            return;
        }
        if (idleTimeout != null) {
            // what its handleClose does, which never runs: close events go through PROCESSOR now
            idleTimeout.getResolver().removeTimeout(connection);
        }
        ByteReceiver target;
        synchronized (this) {
            target = receiver;
            closedBeforeReceive = target == null;
            parked = null;
        }
        if (target != null) {
            target.onClosed(reset || type == CloseType.REMOTELY && !inputEndedNow());
        }
    }

    private synchronized boolean inputEndedNow() {
        return inputEnded;
    }

    /**
     * The idle-timeout filter of the chain {@code connection} runs before the takeover (a server's
     * HTTP chain): it queued the connection when accepted and holds it until told it closed.
     */
    private static IdleTimeoutFilter idleTimeoutOf(Connection<?> connection) {
        if (connection.getProcessor() instanceof FilterChain chain) {
            int index = chain.indexOfType(IdleTimeoutFilter.class);
            return index < 0 ? null : (IdleTimeoutFilter) chain.get(index);
        }
        return null;
    }

    private SocketChannel channel() {
        return (SocketChannel) ((NIOConnection) connection).getChannel();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private org.glassfish.grizzly.Writer writer() {
        return ((TCPNIOTransport) connection.getTransport()).getAsyncQueueIO().getWriter();
    }
}
