package dev.switchboard.transport.internal;

import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.SharedText;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import jakarta.websocket.CloseReason;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.glassfish.grizzly.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open Tyrus session as a {@link WebSocketConnection}, client or server side: enforces the
 * message size and send queue limits, pings, counts, and calls the handler one call at a time.
 */
final class TyrusConnection implements WebSocketConnection {

    /** Told when the connection ends, after the handler (client: schedule a retry; server: forget it). */
    interface Listener {
        void closed(TyrusConnection connection, int code, String reason);
    }

    /** The data a connection needs from its side's handshake. */
    record Handshake(String path, Map<String, String> pathParameters, Map<String, List<String>> headers,
                     InetSocketAddress remoteAddress) {
    }

    /**
     * What every connection of one client or one server shares.
     *
     * @param timer  keepalive pings and pong timeouts
     * @param closer runs the Tyrus side of {@link #close}: on a client, closing the session shuts
     *               its Grizzly transport down, and on that transport's own thread (any callback,
     *               a send's completion) the handler would hear of the close nested inside the
     *               callback that asked for it; so a client closes on a thread of its own, a
     *               server in place
     * @param totals the owner's counters, added to with the connection's own
     * @param client the client side: its frames are masked
     */
    record Owner(ConnectionPolicy policy, ScheduledExecutorService timer, Executor closer, ConnectionMetrics totals,
                 TyrusInternals internals, boolean client) {
    }

    private record Close(int code, String reason) {
    }

    /** How long a socket refused for a too-big frame, or closed by us, waits for the peer's Close. */
    static final Duration LINGER = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(TyrusConnection.class);
    private static final AtomicLong IDS = new AtomicLong();
    /** A close reason phrase may hold 123 bytes; stay well inside for multi-byte text. */
    private static final int MAX_REASON_CHARS = 60;

    private final String id = "ws-" + IDS.incrementAndGet();
    private final String label;
    private final Session session;
    private final TyrusInternals.Sender sender;
    /** Writes shared frames as they are; null where Tyrus must encode them (a client, compression). */
    private final FrameWriter frames;
    private final Handshake handshake;
    private final WebSocketHandler handler;
    private final Owner owner;
    private final ConnectionPolicy policy;
    private final Listener listener;
    private final ConnectionMetrics metrics = new ConnectionMetrics();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final AtomicInteger pendingSends = new AtomicInteger();
    /** False once the session ended (see {@link #ended}). */
    private final AtomicBoolean open = new AtomicBoolean(true);
    /**
     * Set by the first close request: nothing is sent after it. What the peer sent before it read
     * our Close is still delivered, until the close handshake ends.
     */
    private volatile boolean closing;
    /** The Close we sent and await the peer's answer to; what the handler is told when it comes. */
    private volatile Close sentClose;
    /** Sequence number of the ping awaiting its pong, 0 when none is outstanding. */
    private final AtomicLong outstandingPing = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    /** Serialises handler calls; see {@link #deliverClose()} for why onClose never waits on it. */
    private final ReentrantLock dispatch = new ReentrantLock();
    private final AtomicReference<Close> pendingClose = new AtomicReference<>();
    private volatile boolean closeDelivered;
    private volatile ScheduledFuture<?> keepalive;
    private final CountDownLatch endedLatch = new CountDownLatch(1);

    /**
     * Wraps a session from the endpoint's {@code onOpen}. Installs the message handlers at once,
     * since Tyrus may deliver frames as soon as {@code onOpen} returns; {@link #start()} then
     * tells the handler.
     *
     * @param wire the Grizzly connection under the session, to write shared frames to as they
     *             are, or null to have Tyrus encode them
     */
    TyrusConnection(Owner owner, String label, Session session, Handshake handshake, WebSocketHandler handler,
                    Listener listener, Connection<?> wire) {
        this.label = label + " " + id;
        this.owner = owner;
        this.policy = owner.policy();
        this.session = session;
        this.sender = owner.internals().sender(session, owner.client());
        this.frames = wire == null ? null : new FrameWriter(wire, new FrameWriter.Listener() {
            @Override
            public void written(int count, long bytes) {
                pendingSends.addAndGet(-count);
                metrics.framesOut(count, bytes);
                owner.totals().framesOut(count, bytes);
            }

            @Override
            public void failed(int count, Throwable error) {
                pendingSends.addAndGet(-count);
                LOG.debug("{} {} frames not written: {}", TyrusConnection.this.label, count, error);
            }
        });
        this.handshake = handshake;
        this.handler = handler;
        this.listener = listener;
        // Tyrus checks these against fragmented messages only; whole frames are checked in receive*.
        session.setMaxTextMessageBufferSize(policy.maxMessageSize());
        session.setMaxBinaryMessageBufferSize(policy.maxMessageSize());
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::receiveText);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::receiveBinary);
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> outstandingPing.set(0));
    }

    /** Starts keepalive and runs the handler's {@code onOpen}. */
    void start() {
        LOG.debug("{} open: {} subprotocol '{}' from {}", label, handshake.path(), subprotocol(),
                handshake.remoteAddress());
        long intervalMs = policy.pingInterval().toMillis();
        if (intervalMs > 0) {
            keepalive = owner.timer().scheduleWithFixedDelay(this::ping, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
        dispatch("onOpen", () -> handler.onOpen(this));
    }

    /** Tyrus's {@code onClose}: the session ended, whoever ended it. */
    void ended(CloseReason reason) {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        ScheduledFuture<?> ping = keepalive;
        if (ping != null) {
            ping.cancel(false);
        }
        int code = reason.getCloseCode().getCode();
        String phrase = reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase();
        Close sent = sentClose;
        if (sent != null) {
            // we closed: the peer's answer, or its silence, ends what we began
            code = sent.code();
            phrase = sent.reason();
        } else if (owner.internals().frameBufferOverflow(reason)) {
            // a client's frame buffer (ours or the peer's) overflowed and Tyrus sent 1011 itself; it is
            // a too-big message all the same, so the handler sees 1009 as for every other one
            countError();
            LOG.warn("{} a frame overflowed Tyrus's frame buffer; closed with 1011, reported as 1009", label);
            code = CloseReason.CloseCodes.TOO_BIG.getCode();
            phrase = "Message too big for the frame buffer";
        }
        LOG.debug("{} closed: {} {}", label, code, phrase);
        pendingClose.set(new Close(code, phrase));
        deliverClose();
        listener.closed(this, code, phrase);
        endedLatch.countDown();
    }

    /** Tyrus's {@code onError}: a transport or protocol error on this session. */
    void failed(Throwable error) {
        countError();
        LOG.warn("{} error: {}", label, error.toString());
        dispatch("onError", () -> handler.onError(this, error));
    }

    private void receiveText(String text) {
        // a frame the peer sent before it saw our Close is still its message (RFC 6455 §5.5.1):
        // delivered, not dropped while the close handshake runs
        long bytes = utf8Length(text);
        if (bytes > policy.maxMessageSize()) {
            tooBig(bytes);
            return;
        }
        metrics.frameIn(bytes);
        owner.totals().frameIn(bytes);
        dispatch("onText", () -> handler.onText(this, text));
    }

    private void receiveBinary(ByteBuffer data) {
        // a frame the peer sent before it saw our Close is still its message (RFC 6455 §5.5.1):
        // delivered, not dropped while the close handshake runs
        long bytes = data.remaining();
        if (bytes > policy.maxMessageSize()) {
            tooBig(bytes);
            return;
        }
        metrics.frameIn(bytes);
        owner.totals().frameIn(bytes);
        dispatch("onBinary", () -> handler.onBinary(this, data));
    }

    /**
     * A message over the limit, received whole (a server's frame filter refuses bigger frames from
     * their header before: {@link #refusedTooBig}). Closes with 1009.
     */
    void tooBig(long bytes) {
        countError();
        LOG.warn("{} a message of {} bytes, over the limit of {}; closing with 1009", label, bytes,
                policy.maxMessageSize());
        close(CloseReason.CloseCodes.TOO_BIG.getCode(), tooBigReason(policy.maxMessageSize()));
    }

    /**
     * A frame over the limit, refused from its header by the server's frame filter, which writes
     * the 1009 close frame itself and lets the socket linger: the handler hears 1009 now, nothing
     * more is sent, and {@code closeSocket} runs after {@link #LINGER} if the peer has not closed.
     */
    void refusedTooBig(long bytes, Runnable closeSocket) {
        countError();
        LOG.warn("{} a message of {} bytes, over the limit of {}; closing with 1009", label, bytes,
                policy.maxMessageSize());
        closing = true;
        if (frames != null) {
            // corked frames go before the close frame the filter writes next
            frames.flush();
        }
        ended(new CloseReason(CloseReason.CloseCodes.TOO_BIG, tooBigReason(policy.maxMessageSize())));
        owner.timer().schedule(closeSocket, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The close reason of a message over {@code limit}. */
    static String tooBigReason(long limit) {
        return "Message too big: limit " + limit + " bytes";
    }

    private void ping() {
        if (!isOpen() || outstandingPing.get() != 0) {
            return;
        }
        long seq = pings.incrementAndGet();
        outstandingPing.set(seq);
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, seq));
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} ping failed: {}", label, e.toString());
        }
        owner.timer().schedule(() -> checkPong(seq), policy.pongTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Dead-peer detection: close with 1001 (going away) so the local side reports a clean, known
     * code; Tyrus drops the TCP connection right after writing the close frame, so a silent peer
     * never holds the close up.
     */
    private void checkPong(long seq) {
        if (isOpen() && outstandingPing.get() == seq) {
            LOG.warn("{} dead peer: no pong within {} ms; closing with 1001", label, policy.pongTimeout().toMillis());
            String reason = "Dead peer: no pong within " + describe(policy.pongTimeout());
            closing = true;
            // no handshake: a dead peer would not answer it
            owner.closer().execute(() -> closeNow(CloseReason.CloseCodes.GOING_AWAY.getCode(), reason, false));
        }
    }

    @Override
    public CompletionStage<Void> sendText(String text) {
        return send(utf8Length(text), done -> sender.sendText(text, done));
    }

    @Override
    public CompletionStage<Void> sendBinary(ByteBuffer data) {
        return sendBinary(List.of(data));
    }

    @Override
    public CompletionStage<Void> sendBinary(List<ByteBuffer> parts) {
        return send(TyrusInternals.Sender.length(parts), done -> sender.sendBinary(parts, done));
    }

    @Override
    public boolean send(SharedText message) {
        if (frames == null) {
            sendText(message.text());
            return isOpen();
        }
        if (!isOpen()) {
            return false;
        }
        // frames corked for this round of the selector loop wait for us, not for the peer
        if (pendingSends.incrementAndGet() - frames.corked() > policy.sendQueueLimit()) {
            pendingSends.decrementAndGet();
            tooSlow(policy.sendQueueLimit() + " messages waiting");
            return false;
        }
        frames.write(message);
        return true;
    }

    /** True when the handler may run on the selector thread ({@link WebSocketHandler#neverBlocks()}). */
    boolean handlerNeverBlocks() {
        return handler.neverBlocks();
    }

    /** The most frames one write of shared frames carried, 0 without them (tests). */
    int mostFramesPerWrite() {
        return frames == null ? 0 : frames.mostFramesPerWrite();
    }

    /** True when shared frames are written as they are, past Tyrus. */
    boolean writesSharedFrames() {
        return frames != null;
    }

    /** The Grizzly connection shared frames are written to, or null. */
    Connection<?> wire() {
        return frames == null ? null : frames.connection();
    }

    /** True when sends bypass Tyrus's async remote ({@link TyrusInternals.Internal#SOCKET_FIELD}). */
    boolean sendsDirect() {
        return sender.direct();
    }

    private CompletionStage<Void> send(long bytes, Consumer<SendHandler> write) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        if (!isOpen()) {
            sent.completeExceptionally(new IOException(label + " is closed"));
            return sent;
        }
        if (pendingSends.incrementAndGet() > policy.sendQueueLimit()) {
            pendingSends.decrementAndGet();
            tooSlow(policy.sendQueueLimit() + " messages waiting");
            sent.completeExceptionally(new IOException("send queue of " + label + " is full ("
                    + policy.sendQueueLimit() + " messages); connection closed with 1013"));
            return sent;
        }
        if (frames != null) {
            // shared frames corked before this message go first
            frames.flush();
        }
        try {
            write.accept(result -> {
                pendingSends.decrementAndGet();
                if (result.isOK()) {
                    metrics.frameOut(bytes);
                    owner.totals().frameOut(bytes);
                    sent.complete(null);
                } else {
                    if (TyrusInternals.writeQueueFull(result.getException())) {
                        tooSlow("write queue over Grizzly's limit");
                    }
                    sent.completeExceptionally(result.getException());
                }
            });
        } catch (RuntimeException e) {
            pendingSends.decrementAndGet();
            sent.completeExceptionally(e);
        }
        return sent;
    }

    private void tooSlow(String detail) {
        countError();
        LOG.warn("{} slow consumer: {}; closing with 1013", label, detail);
        close(CloseReason.CloseCodes.TRY_AGAIN_LATER.getCode(), "Too slow: send queue full");
    }

    @Override
    public void close(int code, String reason) {
        if (!isOpen()) {
            return;
        }
        closing = true;
        owner.closer().execute(() -> closeNow(code, reason, true));
    }

    /**
     * Closes the session on the calling thread (see {@link Owner#closer()}). With {@code awaitPeer},
     * the handler hears of the close once the peer answered it, or after {@link #LINGER}, and gets
     * every message the peer sent before it read our Close; else at once, as the socket closes.
     */
    void closeNow(int code, String reason, boolean awaitPeer) {
        if (!open.get()) {
            return;
        }
        closing = true;
        String phrase = reason == null ? "" : reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        CloseReason closeReason = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), phrase);
        if (sentClose != null) {
            // our Close is out already: wait for the answer as before, or end the handshake now;
            // Tyrus's own close would do nothing in that state and leave the socket open
            if (!awaitPeer) {
                owner.internals().endCloseHandshake(session, closeReason);
                ended(closeReason);
            }
            return;
        }
        if (frames != null) {
            // corked frames go before the close frame
            frames.flush();
        }
        if (awaitPeer && owner.internals().startCloseHandshake(session, code, phrase, owner.client())) {
            sentClose = new Close(code, phrase);
            LOG.debug("{} closing: {} {}; awaiting the peer's Close", label, code, phrase);
            owner.timer().schedule(() -> {
                if (open.get()) {
                    LOG.debug("{} no Close from the peer within {}; socket closed", label, describe(LINGER));
                    owner.internals().endCloseHandshake(session, closeReason);
                    ended(closeReason);
                }
            }, LINGER.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        try {
            session.close(closeReason);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} close failed: {}", label, e.toString());
        }
        // Tyrus reports its own close through onClose; if the session was already broken it may not.
        ended(closeReason);
    }

    /** Waits until the session ended (the peer answered our Close, or the linger time passed); false on timeout. */
    boolean awaitEnded(Duration timeout) throws InterruptedException {
        return endedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs a handler call under the dispatch lock. The handler may be slow; frames for this
     * connection wait, as they should.
     */
    private void dispatch(String event, Runnable call) {
        dispatch.lock();
        try {
            if (!closeDelivered) {
                call.run();
            }
        } catch (RuntimeException e) {
            countError();
            LOG.warn("{} handler {} threw {}", label, event, e.toString());
        } finally {
            dispatch.unlock();
        }
        deliverClose();
    }

    /**
     * Delivers onClose without ever blocking on the dispatch lock: Tyrus calls onClose while
     * holding its own protocol lock, and a handler busy in onText may be waiting for that lock
     * to send. Whoever holds the dispatch lock delivers the close when it lets go.
     */
    private void deliverClose() {
        while (pendingClose.get() != null && dispatch.tryLock()) {
            try {
                Close close = pendingClose.getAndSet(null);
                if (close != null && !closeDelivered) {
                    closeDelivered = true;
                    handler.onClose(this, close.code(), close.reason());
                }
            } catch (RuntimeException e) {
                countError();
                LOG.warn("{} handler onClose threw {}", label, e.toString());
            } finally {
                dispatch.unlock();
            }
        }
    }

    private void countError() {
        metrics.error();
        owner.totals().error();
    }

    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static String describe(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    String label() {
        return label;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String path() {
        return handshake.path();
    }

    @Override
    public Map<String, String> pathParameters() {
        return handshake.pathParameters();
    }

    @Override
    public Map<String, List<String>> handshakeHeaders() {
        return handshake.headers();
    }

    @Override
    public String subprotocol() {
        String agreed = session.getNegotiatedSubprotocol();
        return agreed == null ? "" : agreed;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return handshake.remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return open.get() && !closing;
    }

    @Override
    public int pendingSends() {
        return pendingSends.get() - (frames == null ? 0 : frames.corked());
    }

    @Override
    public ConnectionMetrics metrics() {
        return metrics;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return label;
    }
}
