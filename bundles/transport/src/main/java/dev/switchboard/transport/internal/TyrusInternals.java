package dev.switchboard.transport.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.PendingWriteQueueLimitExceededException;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.RequestContext;
import org.glassfish.tyrus.core.TyrusEndpointWrapper;
import org.glassfish.tyrus.core.TyrusFuture;
import org.glassfish.tyrus.core.TyrusRemoteEndpoint;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.glassfish.tyrus.core.frame.CloseFrame;
import org.glassfish.tyrus.core.l10n.LocalizationMessages;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.WriterInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every use Switchboard makes of how Tyrus 2.2 and Grizzly 4.0 work inside rather than of their
 * APIs, in one place, each with what happens when it stops working. {@code TyrusInternalsTest} is
 * the canary: it fails when a Tyrus upgrade breaks any of them. The bundle imports Tyrus
 * {@code [2.2,2.3)} only, so an upgrade is a deliberate step that runs that test.
 *
 * <p>{@link #DETECTED} is what the Tyrus at hand offers; tests switch single internals off with
 * {@link #without} to run each fallback.
 */
final class TyrusInternals {

    /** The internals, each with its fallback. */
    enum Internal {
        /**
         * {@code TyrusRemoteEndpoint.webSocket}, a private field: messages go straight to Tyrus's
         * socket, past the async remote that re-arms an idle timer on a scheduler for every message
         * (two thread hand-offs). Fallback: the async remote.
         */
        SOCKET_FIELD,
        /**
         * {@code WebSocketAddOn(ServerContainer, String)}, package-private: puts Tyrus's engine on a
         * Grizzly listener we build ourselves (Tyrus's own server binds 0.0.0.0). No fallback: a
         * server cannot listen.
         */
        ADD_ON_CONSTRUCTOR,
        /**
         * Grizzly hands the bytes of an upgraded connection to the filters after the HTTP codec as
         * {@link HttpContent} of the upgrade request, whose response Tyrus set to 101: so our
         * frame filter, just before Tyrus's, sees every frame header. Fallback: Tyrus's own limit,
         * its frame buffer, which answers 1011 and buffers up to it.
         */
        UPGRADED_CONTENT,
        /**
         * Tyrus runs the handshake, our configurator and the endpoint's onOpen on the thread that
         * read the upgrade request, right after our filter: so the filter's view of the request
         * (the peer's port, the frame check) meets Tyrus's session. Fallback: the peer from
         * {@link #REQUEST_CONTEXT}; an oversize frame closed by the filter itself with 1009, the
         * handler then told of a lost connection.
         */
        HANDSHAKE_THREAD,
        /**
         * The handshake request is Tyrus's {@link RequestContext}, which knows the peer's IP (not
         * its port). Fallback: the peer is unknown.
         */
        REQUEST_CONTEXT,
        /**
         * Tyrus closes a frame over its buffer with 1011 and the reason
         * {@code LocalizationMessages.BUFFER_OVERFLOW()} ("Buffer overflow."): a 1009 all the same,
         * reported as 1009. Fallback: the handler sees 1011.
         */
        OVERFLOW_REASON,
        /**
         * A server session without extensions writes plain frames to the Grizzly connection its
         * upgrade came in on, in the order they reach Grizzly's write queue: so frames encoded once
         * for many subscribers ({@link dev.switchboard.transport.SharedText}) are written there as
         * they are. Fallback: Tyrus
         * encodes and writes each message per connection.
         */
        SHARED_FRAMES,
        /**
         * {@code TyrusWebSocket.state}, a private field, and its public {@code onClose}: a side
         * closing a connection (server or client) writes the Close frame itself and sets the state to CLOSING, so Tyrus
         * still delivers what the peer sent before it read our Close, and closes the socket when the
         * peer's Close comes, without answering it (RFC 6455 §7.1.1). Tyrus's own close drops the
         * socket as soon as its Close is written, and with it every message the peer had in flight.
         * Needs {@link #SOCKET_FIELD}. Fallback: Tyrus's close.
         */
        CLOSE_HANDSHAKE,
        /**
         * Grizzly's HTTP codec keeps an upgraded connection's request, response and context (about
         * 9 KB) for good, under {@code HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME}, to wrap each
         * read as content of it; Tyrus's filter, once its connection is open, takes any content.
         * So a connection Tyrus opened moves to a chain without the codec ({@link UpgradedChain}),
         * where our frame filter wraps the reads, and the codec's request is dropped. Needs
         * {@link #UPGRADED_CONTENT} and {@link #HANDSHAKE_THREAD}. Fallback: the connection keeps
         * the codec and its request.
         */
        HTTP_RELEASE,
        /**
         * {@code TyrusWebSocket.sendRawFrame} writes bytes as they are, in order with Tyrus's own
         * frames, and returns a {@code CompletableFuture}: so a session without extensions sends
         * binary frames encoded by {@link RawFrameSender}, one copy, a client's masked eight bytes
         * at a time; Tyrus copies twice and masks a byte at a time through a volatile index (most of
         * a tunnel's CPU). Needs {@link #SOCKET_FIELD}. Fallback: Tyrus encodes them.
         */
        RAW_BINARY_FRAMES,
        /**
         * Tyrus's server reads a client frame without the mask bit as it is (it does not insist on
         * masking, RFC 6455 §5.1 notwithstanding): so our frame filter unmasks a client's frames
         * eight bytes at a time ({@link ClientFrameUnmasker}) and hands Tyrus plain ones; Tyrus
         * unmasks a byte at a time through a volatile index. Needs {@link #UPGRADED_CONTENT}.
         * Fallback: Tyrus unmasks.
         */
        UNMASKED_FRAMES,
        /**
         * A client's Grizzly connection, behind private fields ({@link ClientWire}): a client whose
         * handler never blocks reads on its own transport's selector thread instead of handing
         * each read to Tyrus's workers. Needs {@link #SOCKET_FIELD}. Fallback: the workers.
         */
        CLIENT_SELECTOR
    }

    private static final Logger LOG = LoggerFactory.getLogger(TyrusInternals.class);
    private static final Field REMOTE_SOCKET = remoteSocketField();
    private static final Field SOCKET_STATE = socketStateField();
    private static final java.security.SecureRandom MASKS = new java.security.SecureRandom();
    private static final Constructor<WebSocketAddOn> ADD_ON = addOnConstructor();
    private static final String OVERFLOW = overflowReason();
    private static final WriterInfo ASYNC_TEXT =
            new WriterInfo(WriterInfo.MessageType.TEXT, WriterInfo.RemoteEndpointType.ASYNC);
    private static final WriterInfo ASYNC_BINARY =
            new WriterInfo(WriterInfo.MessageType.BINARY, WriterInfo.RemoteEndpointType.ASYNC);
    /** What the frame filter saw of the upgrade request this thread is handshaking; see {@link Internal#HANDSHAKE_THREAD}. */
    private static final ThreadLocal<Upgrade> HANDSHAKE = new ThreadLocal<>();
    private static final Attribute<Upgrade> UPGRADE =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(TyrusInternals.class.getName() + ".upgrade");
    private static final String WEBSOCKET_KEY = "Sec-WebSocket-Key";
    private static final String IDLE_TIMER = "org.glassfish.tyrus.core.TyrusSession$IdleTimeoutCommand";

    /** Everything the Tyrus on the class path offers. */
    static final TyrusInternals DETECTED = new TyrusInternals(detected());

    private final Set<Internal> available;

    private TyrusInternals(Set<Internal> available) {
        this.available = Set.copyOf(available);
    }

    /** As {@link #DETECTED}, with {@code off} switched off: for tests of the fallbacks. */
    static TyrusInternals without(Internal... off) {
        Set<Internal> on = EnumSet.copyOf(DETECTED.available);
        List.of(off).forEach(on::remove);
        return new TyrusInternals(on);
    }

    boolean offers(Internal internal) {
        return available.contains(internal);
    }

    private static Set<Internal> detected() {
        // behaviour, not members: these cannot be probed up front; each connection falls back by
        // itself when one fails, and the canary test tells
        Set<Internal> found = EnumSet.of(Internal.UPGRADED_CONTENT, Internal.HANDSHAKE_THREAD, Internal.REQUEST_CONTEXT,
                Internal.SHARED_FRAMES, Internal.HTTP_RELEASE, Internal.UNMASKED_FRAMES);
        if (REMOTE_SOCKET != null) {
            found.add(Internal.SOCKET_FIELD);
        }
        if (ADD_ON != null) {
            found.add(Internal.ADD_ON_CONSTRUCTOR);
        }
        if (OVERFLOW != null) {
            found.add(Internal.OVERFLOW_REASON);
        }
        if (REMOTE_SOCKET != null && SOCKET_STATE != null) {
            found.add(Internal.CLOSE_HANDSHAKE);
        }
        if (REMOTE_SOCKET != null && rawFramesComplete()) {
            found.add(Internal.RAW_BINARY_FRAMES);
        }
        if (REMOTE_SOCKET != null && ClientWire.available()) {
            found.add(Internal.CLIENT_SELECTOR);
        }
        return found;
    }

    // --- sending --------------------------------------------------------------------------------

    /** Writes one connection's messages. */
    interface Sender {
        void sendText(String text, SendHandler done);

        /** Sends one binary message made of {@code parts}, in order. */
        void sendBinary(List<ByteBuffer> parts, SendHandler done);

        /** The bytes {@code parts} hold together. */
        static int length(List<ByteBuffer> parts) {
            int length = 0;
            for (ByteBuffer part : parts) {
                length += part.remaining();
            }
            return length;
        }

        /** {@code parts}' bytes in one array. */
        static byte[] joined(List<ByteBuffer> parts) {
            ByteBuffer joined = ByteBuffer.allocate(length(parts));
            parts.forEach(part -> joined.put(part.duplicate()));
            return joined.array();
        }

        /** True when messages go straight to Tyrus's socket ({@link Internal#SOCKET_FIELD}). */
        boolean direct();
    }

    /** @param client the session's frames are masked */
    Sender sender(Session session, boolean client) {
        TyrusWebSocket socket = offers(Internal.SOCKET_FIELD) ? socketOf(session) : null;
        if (socket == null) {
            return new Sender() {
                @Override
                public void sendText(String text, SendHandler done) {
                    session.getAsyncRemote().sendText(text, done);
                }

                @Override
                public void sendBinary(List<ByteBuffer> parts, SendHandler done) {
                    session.getAsyncRemote().sendBinary(parts.size() == 1 ? parts.get(0)
                            : ByteBuffer.wrap(Sender.joined(parts)), done);
                }

                @Override
                public boolean direct() {
                    return false;
                }
            };
        }
        if (offers(Internal.RAW_BINARY_FRAMES) && session.getNegotiatedExtensions().isEmpty()) {
            return new RawFrameSender(session, socket, client);
        }
        return new Sender() {
            @Override
            public void sendText(String text, SendHandler done) {
                socket.sendText(text, done, ASYNC_TEXT);
            }

            @Override
            public void sendBinary(List<ByteBuffer> parts, SendHandler done) {
                socket.sendBinary(Sender.joined(parts), done, ASYNC_BINARY);
            }

            @Override
            public boolean direct() {
                return true;
            }
        };
    }

    /** Runs a client session's reads on its selector thread ({@link Internal#CLIENT_SELECTOR}); false when it cannot. */
    boolean keepClientOnSelector(Session session) {
        TyrusWebSocket socket = offers(Internal.CLIENT_SELECTOR) ? socketOf(session) : null;
        return socket != null && ClientWire.keepOnSelector(socket);
    }

    private static TyrusWebSocket socketOf(Session session) {
        try {
            Object remote = session.getAsyncRemote();
            return REMOTE_SOCKET.getDeclaringClass().isInstance(remote) ? (TyrusWebSocket) REMOTE_SOCKET.get(remote) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code sendRawFrame}'s future can tell when its frame is written ({@link Internal#RAW_BINARY_FRAMES}). */
    private static boolean rawFramesComplete() {
        try {
            TyrusWebSocket.class.getMethod("sendRawFrame", ByteBuffer.class);
            // what it returns is a TyrusFuture
            return CompletableFuture.class.isAssignableFrom(TyrusFuture.class);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("Tyrus's raw frames cannot be awaited ({}); Tyrus encodes binary frames", e.toString());
            return false;
        }
    }

    private static Field remoteSocketField() {
        try {
            Field field = TyrusRemoteEndpoint.class.getDeclaredField("webSocket");
            field.setAccessible(true);
            return TyrusWebSocket.class.isAssignableFrom(field.getType()) ? field : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Tyrus's socket is not reachable ({}); sending through its async remote", e.toString());
            return null;
        }
    }

    // --- closing ------------------------------------------------------------------------------

    /**
     * Starts the close handshake of {@code session} ({@link Internal#CLOSE_HANDSHAKE}), a client's
     * Close masked:
     * the Close frame goes out behind everything queued, and the session keeps delivering until
     * the peer's Close, or {@link #endCloseHandshake}. False when this Tyrus cannot, or the session
     * is no longer connected: close it through Tyrus then.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    boolean startCloseHandshake(Session session, int code, String reason, boolean client) {
        TyrusWebSocket socket = offers(Internal.CLOSE_HANDSHAKE) ? socketOf(session) : null;
        if (socket == null) {
            return false;
        }
        try {
            AtomicReference<Enum> state = (AtomicReference<Enum>) SOCKET_STATE.get(socket);
            Enum connected = state.get();
            if (!"CONNECTED".equals(connected.name())
                    || !state.compareAndSet(connected, Enum.valueOf(connected.getDeclaringClass(), "CLOSING"))) {
                return false;
            }
            try {
                byte[] frame = closeFrame(code, reason);
                socket.sendRawFrame(ByteBuffer.wrap(client ? masked(frame) : frame));
            } catch (RuntimeException e) {
                // nothing written: Tyrus closes it then
                state.set(connected);
                throw e;
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("no close handshake of our own: {}", e.toString());
            return false;
        }
    }

    /** Ends a close handshake the peer did not answer: Tyrus closes the socket and reports {@code reason}. */
    void endCloseHandshake(Session session, CloseReason reason) {
        TyrusWebSocket socket = socketOf(session);
        if (socket != null) {
            socket.onClose(new CloseFrame(reason));
        }
    }

    /** A server's (unmasked) Close frame. */
    static byte[] closeFrame(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[4 + text.length];
        frame[0] = (byte) 0x88;
        frame[1] = (byte) (2 + text.length);
        frame[2] = (byte) (code >> 8);
        frame[3] = (byte) code;
        System.arraycopy(text, 0, frame, 4, text.length);
        return frame;
    }

    /** A client's copy of a server's short {@code frame} (payload up to 125 bytes), masked as RFC 6455 §5.3 wants. */
    static byte[] masked(byte[] frame) {
        int key = MASKS.nextInt();
        int payload = frame.length - 2;
        byte[] out = new byte[frame.length + 4];
        out[0] = frame[0];
        out[1] = (byte) (0x80 | frame[1]);
        ByteBuffer.wrap(out, 2, 4).putInt(key);
        System.arraycopy(frame, 2, out, 6, payload);
        WebSocketMask.apply(out, 6, 6, payload, key);
        return out;
    }

    private static Field socketStateField() {
        try {
            Field field = TyrusWebSocket.class.getDeclaredField("state");
            field.setAccessible(true);
            return AtomicReference.class.isAssignableFrom(field.getType()) ? field : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Tyrus's socket state is not reachable ({}); a server's close drops what the peer still sends",
                    e.toString());
            return null;
        }
    }

    /**
     * The Grizzly connection to write {@code session}'s shared frames to as they are
     * ({@link Internal#SHARED_FRAMES}), or null: Tyrus then encodes them (an extension such as
     * compression rewrites every frame).
     */
    Connection<?> wire(Upgrade upgrade, Session session) {
        return offers(Internal.SHARED_FRAMES) && upgrade.grizzly != null && session.getNegotiatedExtensions().isEmpty()
                ? upgrade.grizzly : null;
    }

    /**
     * Tyrus's session idle timer ({@code TyrusSession.IdleTimeoutCommand}), which does nothing when no
     * idle timeout is set: Tyrus schedules one with no delay for every message a session receives
     * ({@link SessionScheduler}). Matched by name; if Tyrus renames it, the task runs as before.
     */
    static boolean isIdleTimerWithoutTimeout(Runnable task) {
        return IDLE_TIMER.equals(task.getClass().getName());
    }

    /** A failed send that means Grizzly's own write queue is full: the peer is too slow. */
    static boolean writeQueueFull(Throwable error) {
        return error instanceof PendingWriteQueueLimitExceededException;
    }

    // --- server listener ------------------------------------------------------------------------

    /**
     * What a listener we built needs to serve WebSockets through {@code container}'s engine, in
     * this order: our frame filter ({@link Internal#UPGRADED_CONTENT}), then Tyrus's.
     *
     * @throws IOException when Tyrus's add-on cannot be made ({@link Internal#ADD_ON_CONSTRUCTOR})
     */
    List<AddOn> webSocketAddOns(HostBoundContainer container, int maxMessageSize) throws IOException {
        if (!offers(Internal.ADD_ON_CONSTRUCTOR)) {
            throw new IOException("cannot create Tyrus's WebSocketAddOn (Tyrus version changed?)");
        }
        AddOn tyrus;
        try {
            tyrus = ADD_ON.newInstance(container, HostBoundContainer.CONTEXT_PATH);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot create Tyrus's WebSocketAddOn (Tyrus version changed?)", e);
        }
        return offers(Internal.UPGRADED_CONTENT)
                ? List.of(new FrameLimitAddOn(maxMessageSize, offers(Internal.HTTP_RELEASE), offers(Internal.UNMASKED_FRAMES)), tyrus)
                : List.of(tyrus);
    }

    private static Constructor<WebSocketAddOn> addOnConstructor() {
        try {
            Constructor<WebSocketAddOn> constructor =
                    WebSocketAddOn.class.getDeclaredConstructor(ServerContainer.class, String.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.error("Tyrus's WebSocketAddOn cannot be created ({}); no WebSocket server can listen", e.toString());
            return null;
        }
    }

    // --- upgrades: peer and frame limit ---------------------------------------------------------

    /**
     * One upgrade request as the frame filter saw it: the peer with its real port, and the
     * connection an oversize frame is reported to once Tyrus opened it.
     */
    static final class Upgrade {

        /** What a refused connection reads and drops at most while it lingers, before it is closed. */
        private static final long LINGER_BYTES = 8L << 20;

        private final InetSocketAddress peer;
        private final String key;
        private final Connection<?> grizzly;
        private final FrameSizeLimit frames;
        /** Where the connection goes once opened (null: it keeps the listener's chain). */
        private final UpgradedChain release;
        /** Null where Tyrus unmasks ({@link Internal#UNMASKED_FRAMES}). */
        private final ClientFrameUnmasker unmasker;
        private volatile TyrusConnection connection;
        /** Set once a frame was refused: nothing more reaches Tyrus. */
        private boolean refused;
        /** Bytes read and dropped since the refusal. */
        private long dropped;

        private Upgrade(InetSocketAddress peer, String key, Connection<?> grizzly, FrameSizeLimit frames,
                        UpgradedChain release, ClientFrameUnmasker unmasker) {
            this.peer = peer;
            this.key = key;
            this.grizzly = grizzly;
            this.frames = frames;
            this.release = release;
            this.unmasker = unmasker;
        }

        InetSocketAddress peer() {
            return peer;
        }

        /**
         * The connection Tyrus opened for this upgrade, on the thread handshaking (before any
         * later read of it is dispatched): told of an oversize frame from now on, and kept on the
         * selector thread when its handler never blocks.
         */
        void attach(TyrusConnection opened) {
            connection = opened;
            if (grizzly != null && opened.handlerNeverBlocks()) {
                StreamAwareIOStrategy.keepOnSelector(grizzly);
            }
            if (release != null) {
                release.release(grizzly);
            }
        }

        /**
         * Checks the frames in {@code bytes}, read after the upgrade; call holding this upgrade's
         * lock. Returns what may go to Tyrus (null: nothing), unmasked when this upgrade unmasks,
         * and what is to be checked next (null: nothing); a frame over the limit closes the
         * connection with 1009 and nothing more passes.
         */
        Buffer[] admit(Buffer bytes) {
            if (refused) {
                // read and dropped while the socket lingers; a peer that keeps sending is cut off
                dropped += bytes.remaining();
                if (dropped > LINGER_BYTES) {
                    grizzly.closeSilently();
                }
                return new Buffer[2];
            }
            int start = bytes.position();
            int oversize = frames.check(index -> bytes.get(start + index), bytes.remaining());
            if (oversize == FrameSizeLimit.FITS) {
                return new Buffer[] {plain(bytes), null};
            }
            if (oversize > 0) {
                Buffer rest = bytes.split(start + oversize);
                // bytes ends where a frame starts, so none of it waits in the unmasker
                return new Buffer[] {plain(bytes), rest};
            }
            refused = true;
            refuse();
            return new Buffer[2];
        }

        private Buffer plain(Buffer bytes) {
            return unmasker == null ? bytes : unmasker.unmask(bytes, grizzly.getMemoryManager());
        }

        private void refuse() {
            long announced = frames.refusedSize();
            byte[] frame = closeFrame(CloseReason.CloseCodes.TOO_BIG.getCode(), TyrusConnection.tooBigReason(frames.limit()));
            TyrusConnection opened = connection;
            if (opened == null) {
                LOG.warn("WebSocket peer {} sent a message of {} bytes, over the limit of {}; closing with 1009",
                        peer, announced, frames.limit());
                grizzly.write(Buffers.wrap(grizzly.getMemoryManager(), frame));
                // graceful: the close frame is written first
                grizzly.closeSilently();
                return;
            }
            // the handler hears 1009 now; the socket lingers: a peer still writing its big frame
            // would get a reset for the bytes it sent after ours, and a reset can drop our close frame
            // from its receive buffer unread (it then saw 1006). So the close frame goes out, our
            // side of the stream ends (FIN), what still comes is read and dropped, and the connection
            // closes when the peer closes it, after the linger time, or past LINGER_BYTES dropped.
            opened.refusedTooBig(announced, grizzly::closeSilently);
            writeThenEndOutput(grizzly, Buffers.wrap(grizzly.getMemoryManager(), frame));
        }
    }

    /** Writes {@code bytes}, then ends this side of the TCP stream (FIN) and keeps reading; closes on a failure. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void writeThenEndOutput(Connection<?> grizzly, Buffer bytes) {
        ((Connection) grizzly).write(bytes, new EmptyCompletionHandler<Object>() {
            @Override
            public void completed(Object result) {
                try {
                    ((SocketChannel) ((NIOConnection) grizzly).getChannel()).shutdownOutput();
                } catch (IOException | RuntimeException e) {
                    grizzly.closeSilently();
                }
            }

            @Override
            public void failed(Throwable error) {
                grizzly.closeSilently();
            }
        });
    }

    /**
     * The upgrade the frame filter saw for {@code request}, handshaking on this thread
     * ({@link Internal#HANDSHAKE_THREAD}); else one with the peer Tyrus knows and no frame check
     * of its own (the filter still checks, and closes by itself).
     */
    Upgrade upgradeOf(HandshakeRequest request) {
        Upgrade seen = HANDSHAKE.get();
        HANDSHAKE.remove();
        if (seen != null && offers(Internal.HANDSHAKE_THREAD) && seen.key.equals(firstHeader(request, WEBSOCKET_KEY))) {
            return seen;
        }
        return new Upgrade(peerOf(request), "", null, null, null, null);
    }

    private InetSocketAddress peerOf(HandshakeRequest request) {
        if (offers(Internal.REQUEST_CONTEXT) && request instanceof RequestContext context && context.getRemoteAddr() != null) {
            // an IP literal: no name lookup
            return new InetSocketAddress(context.getRemoteAddr(), 0);
        }
        return InetSocketAddress.createUnresolved("unknown", 0);
    }

    private static String firstHeader(HandshakeRequest request, String name) {
        for (var header : request.getHeaders().entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return "";
    }

    /** Puts the frame filter right before the place Tyrus's add-on takes next: before Grizzly's HTTP server filter. */
    private static final class FrameLimitAddOn implements AddOn {

        private final int maxMessageSize;
        private final boolean release;
        private final boolean unmask;

        FrameLimitAddOn(int maxMessageSize, boolean release, boolean unmask) {
            this.maxMessageSize = maxMessageSize;
            this.release = release;
            this.unmask = unmask;
        }

        @Override
        public void setup(NetworkListener listener, FilterChainBuilder builder) {
            builder.add(builder.indexOfType(HttpServerFilter.class), new FrameLimitFilter(maxMessageSize, release, unmask));
        }
    }

    /**
     * Refuses a frame whose header takes a message over the limit before Tyrus buffers any of it,
     * with 1009 on the wire, at any announced size; Tyrus's own frame buffer would answer 1011 and
     * log a stack trace. Also records each upgrade's peer for the handshake that follows.
     */
    private static final class FrameLimitFilter extends BaseFilter {

        private static final int SWITCHING_PROTOCOLS = 101;

        private final int maxMessageSize;
        private final UpgradedChain release;
        /** Client frames go to Tyrus unmasked ({@link Internal#UNMASKED_FRAMES}). */
        private final boolean unmask;

        FrameLimitFilter(int maxMessageSize, boolean release, boolean unmask) {
            this.maxMessageSize = maxMessageSize;
            this.release = release ? new UpgradedChain(this) : null;
            this.unmask = unmask;
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            // a handshake Tyrus refused leaves its upgrade here; it must not meet another's
            HANDSHAKE.remove();
            if (ctx.getMessage() instanceof Buffer bytes) {
                // raw bytes: a connection on its released chain (HTTP_RELEASE), opened with an upgrade
                Upgrade upgrade = UPGRADE.get(ctx.getConnection());
                synchronized (upgrade) {
                    return frames(ctx, bytes, UpgradedChain.content(bytes), upgrade);
                }
            }
            if (!(ctx.getMessage() instanceof HttpContent content)
                    || !(content.getHttpHeader() instanceof HttpRequestPacket request)
                    || !"websocket".equalsIgnoreCase(request.getUpgrade())) {
                return ctx.getInvokeAction();
            }
            Connection<?> grizzly = ctx.getConnection();
            if (request.getResponse().getStatus() != SWITCHING_PROTOCOLS) {
                // the upgrade request itself: Tyrus handshakes next, on this thread
                Upgrade upgrade = new Upgrade(peerOf(grizzly),
                        Objects.requireNonNullElse(request.getHeader(WEBSOCKET_KEY), ""), grizzly,
                        new FrameSizeLimit(maxMessageSize), release, unmask ? new ClientFrameUnmasker() : null);
                UPGRADE.set(grizzly, upgrade);
                HANDSHAKE.set(upgrade);
                return ctx.getInvokeAction();
            }
            Upgrade upgrade = UPGRADE.get(grizzly);
            if (upgrade == null) {
                return ctx.getInvokeAction();
            }
            synchronized (upgrade) {
                return frames(ctx, content.getContent(), content, upgrade);
            }
        }

        /** Passes on {@code content}, of {@code bytes} (raw, or already the context's message), as far as the limit lets it. */
        private NextAction frames(FilterChainContext ctx, Buffer bytes, HttpContent content, Upgrade upgrade) {
            boolean raw = ctx.getMessage() == bytes;
            Buffer[] checked = upgrade.admit(bytes);
            if (checked[0] == null) {
                return ctx.getStopAction();
            }
            // unmasked into a copy, or a raw read of a released connection: content Tyrus takes
            ctx.setMessage(checked[0] == content.getContent() ? content
                    : HttpContent.builder(content.getHttpHeader()).content(checked[0]).build());
            // the frames before an oversize one go to Tyrus first; the rest comes back here as it came
            return checked[1] == null ? ctx.getInvokeAction()
                    : ctx.getInvokeAction(raw ? checked[1] : HttpContent.builder(content.getHttpHeader()).content(checked[1]).build());
        }

        private static InetSocketAddress peerOf(Connection<?> grizzly) {
            return grizzly.getPeerAddress() instanceof InetSocketAddress peer
                    ? peer : InetSocketAddress.createUnresolved("unknown", 0);
        }
    }

    // --- close reasons and Tyrus's log ----------------------------------------------------------

    /** True for Tyrus's own close of a frame over its buffer ({@link Internal#OVERFLOW_REASON}). */
    boolean frameBufferOverflow(CloseReason reason) {
        return offers(Internal.OVERFLOW_REASON)
                && reason.getCloseCode().getCode() == CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode()
                && OVERFLOW.equals(reason.getReasonPhrase());
    }

    private static String overflowReason() {
        try {
            return LocalizationMessages.BUFFER_OVERFLOW();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Tyrus's frame buffer overflow reason is unknown ({}); such closes are reported as 1011", e.toString());
            return null;
        }
    }

    /**
     * Tyrus logs a connection it closes on an unexpected read error (a frame over its buffer, say)
     * at WARNING with the whole stack trace, through {@code java.util.logging} in
     * {@code TyrusEndpointWrapper#onError}. While any transport is open, that record becomes one
     * line: at DEBUG for a buffer overflow (the connection logs its own line), else a WARN.
     */
    static Quieting quietTyrusErrorLog() {
        return TyrusErrorLog.acquire();
    }

    /** Holds Tyrus's error log quiet until closed. */
    interface Quieting extends AutoCloseable {
        /** Idempotent. */
        @Override
        void close();
    }

    private static final class TyrusErrorLog implements java.util.logging.Filter {

        private static final java.util.logging.Logger TYRUS_LOG =
                java.util.logging.Logger.getLogger(TyrusEndpointWrapper.class.getName());
        private static final TyrusErrorLog FILTER = new TyrusErrorLog();
        // guarded by FILTER
        private static int users;

        static Quieting acquire() {
            synchronized (FILTER) {
                if (users++ == 0) {
                    TYRUS_LOG.setFilter(FILTER);
                }
            }
            return new Quieting() {
                private boolean released;

                @Override
                public void close() {
                    synchronized (FILTER) {
                        if (!released) {
                            released = true;
                            if (--users == 0 && TYRUS_LOG.getFilter() == FILTER) {
                                TYRUS_LOG.setFilter(null);
                            }
                        }
                    }
                }
            };
        }

        @Override
        public boolean isLoggable(LogRecord record) {
            Throwable error = record.getThrown();
            if (error == null || record.getLevel().intValue() < Level.WARNING.intValue()) {
                return true;
            }
            if (OVERFLOW != null && OVERFLOW.equals(error.getMessage())) {
                LOG.debug("Tyrus closed a connection whose frame overflowed its buffer");
            } else {
                LOG.warn("Tyrus closed a connection after an unexpected error: {}", error.toString());
            }
            return false;
        }
    }
}
