package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.Recorder.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.SharedText;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.internal.TyrusInternals.Internal;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.core.TyrusEndpointWrapper;
import org.glassfish.tyrus.core.l10n.LocalizationMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The canary of {@link TyrusInternals}: each test drives one of Tyrus's or Grizzly's internals
 * through a real server or client on loopback and fails when an upgrade changed it; each
 * fallback runs with its internal switched off.
 */
class TyrusInternalsTest {

    private static final int SMALL_LIMIT = 1024;
    /** Over Tyrus's frame buffer, which is at least 4 MiB (see ConnectionPolicy#frameBufferSize). */
    private static final int OVER_TYRUS_BUFFER = 5 << 20;

    private final List<TyrusTransport> transports = new ArrayList<>();

    @AfterEach
    void closeTransports() {
        transports.forEach(TyrusTransport::close);
    }

    private TyrusTransport transport(Internal... off) {
        TyrusTransport transport = new TyrusTransport(TyrusInternals.without(off));
        transports.add(transport);
        return transport;
    }

    private static WebSocketServer listen(TyrusTransport transport, int maxMessageSize, WebSocketHandler handler)
            throws IOException {
        WebSocketServer server = transport.listen(ServerSpec.builder("canary").maxMessageSize(maxMessageSize)
                .pingInterval(Duration.ZERO).build());
        server.addWebSocket("/ws", handler);
        return server;
    }

    @Test
    void thisTyrusOffersEveryInternal() {
        for (Internal internal : Internal.values()) {
            assertTrue(TyrusInternals.DETECTED.offers(internal), internal + " is gone: see its fallback in TyrusInternals");
        }
    }

    // --- CLOSE_HANDSHAKE ------------------------------------------------------------------------

    /**
     * A server's close waits for the peer's Close and delivers what comes before it; the
     * handshake itself is tested in TyrusServerTest. Here: the peer's answer ends it at once,
     * with our code, and Tyrus does not answer the answer.
     */
    @Test
    void aServerCloseEndsWhenThePeerAnswersWithoutASecondClose() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(), SMALL_LIMIT, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            next(serverSide.opens).close(4002, "bye");
            assertEquals(new RawPeer.Close(4002, "bye"), RawPeer.readClose(socket.getInputStream()));
            assertTrue(serverSide.closes.isEmpty(), "the handler waits for the peer's answer");
            socket.getOutputStream().write(RawPeer.frameHeader(0x8, 2));
            socket.getOutputStream().write(new byte[] {(byte) (4002 >> 8), (byte) 4002});
            assertEquals(4002, next(serverSide.closes).code());
            socket.setSoTimeout(10_000);
            assertEquals(-1, socket.getInputStream().read(), "no second Close: the socket just ends");
        }
    }

    /** Fallback: without it, Tyrus closes the socket right after our Close and the handler hears at once. */
    @Test
    void withoutTheCloseHandshakeTheSocketClosesRightAfterOurClose() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(Internal.CLOSE_HANDSHAKE), SMALL_LIMIT, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            next(serverSide.opens).close(4002, "bye");
            assertEquals(4002, next(serverSide.closes).code());
            assertEquals(new RawPeer.Close(4002, "bye"), RawPeer.readClose(socket.getInputStream()));
            socket.setSoTimeout(10_000);
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    // --- SOCKET_FIELD ---------------------------------------------------------------------------

    /** Text and binary go straight to Tyrus's socket on both sides, past the idle-timer re-arming remote. */
    @Test
    void bothSidesSendStraightToTyrusSocket() throws Exception {
        echoTextAndBinary(transport(), true);
    }

    @Test
    void withoutTheSocketFieldBothSidesSendThroughTheAsyncRemote() throws Exception {
        echoTextAndBinary(transport(Internal.SOCKET_FIELD), false);
    }

    private static void echoTextAndBinary(TyrusTransport transport, boolean direct) throws Exception {
        Recorder serverSide = new Recorder(true);
        WebSocketServer server = listen(transport, SMALL_LIMIT, serverSide);
        Recorder clientSide = new Recorder();
        transport.connect(ClientSpec.builder("c", uri(server)).pingInterval(Duration.ZERO).build(), clientSide);
        TyrusConnection client = (TyrusConnection) next(clientSide.opens);
        TyrusConnection accepted = (TyrusConnection) next(serverSide.opens);
        assertEquals(direct, client.sendsDirect());
        assertEquals(direct, accepted.sendsDirect());

        client.sendText("héllo ✓").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("héllo ✓", next(clientSide.texts));
        client.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        ConnectionMetrics.Snapshot sent = client.metrics().snapshot();
        assertEquals(2, sent.framesOut());
        assertEquals("héllo ✓".getBytes(StandardCharsets.UTF_8).length + 3, sent.bytesOut());
    }

    // --- CLIENT_SELECTOR ------------------------------------------------------------------------

    /**
     * A client whose handler never blocks reads on its connection's selector thread; one that may
     * block, or without the internal, on Tyrus's workers (named after the client). Both in order.
     */
    @Test
    void aClientThatNeverBlocksReadsOnItsSelectorThread() throws Exception {
        Set<String> selector = clientReadThreads(transport(), true);
        assertEquals(1, selector.size(), selector.toString());
        assertFalse(selector.iterator().next().startsWith("switchboard-ws-client-"), selector.toString());
        for (Set<String> workers : List.of(clientReadThreads(transport(), false),
                clientReadThreads(transport(Internal.CLIENT_SELECTOR), true))) {
            assertTrue(workers.stream().allMatch(name -> name.startsWith("switchboard-ws-client-")), workers.toString());
        }
    }

    /** The threads a client's handler hears its 200 messages on. */
    private static Set<String> clientReadThreads(TyrusTransport transport, boolean neverBlocks) throws Exception {
        Recorder serverSide = new Recorder(true);
        WebSocketServer server = listen(transport, SMALL_LIMIT, serverSide);
        java.util.concurrent.BlockingQueue<String> threads = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.BlockingQueue<WebSocketConnection> opens = new java.util.concurrent.LinkedBlockingQueue<>();
        transport.connect(ClientSpec.builder("selector", uri(server)).pingInterval(Duration.ZERO).build(),
                new dev.switchboard.transport.ClientHandler() {
                    @Override
                    public void onOpen(WebSocketConnection connection) {
                        opens.add(connection);
                    }

                    @Override
                    public void onText(WebSocketConnection connection, String text) {
                        threads.add(text + " " + Thread.currentThread().getName());
                    }

                    @Override
                    public boolean neverBlocks() {
                        return neverBlocks;
                    }
                });
        WebSocketConnection client = next(opens);
        for (int i = 0; i < 200; i++) {
            client.sendText(Integer.toString(i));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String[] echo = next(threads).split(" ", 2);
            assertEquals(Integer.toString(i), echo[0]);
            names.add(echo[1]);
        }
        client.close(1000, "done");
        return names;
    }

    // --- RAW_BINARY_FRAMES ----------------------------------------------------------------------

    /** Payload sizes at the edges of each length encoding (RFC 6455 §5.2: 7, 16 and 64 bit). */
    private static final int[] FRAME_SIZES = {0, 1, 125, 126, 65_535, 65_536, 100_003};

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + size);
        }
        return bytes;
    }

    /**
     * A client's binary frames, read by a raw server that unmasks them a byte at a time as RFC 6455
     * §5.3 says: each final, binary, masked, its length encoded as short as it fits, the payload as
     * sent, and the keys not all alike.
     */
    @Test
    void aClientsRawBinaryFramesAreMaskedAsTheRfcSays() throws Exception {
        assertClientFramesMasked(transport());
    }

    /** Fallback: Tyrus encodes and masks them, with the same result on the wire. */
    @Test
    void withoutRawBinaryFramesTyrusMasksTheClientsFrames() throws Exception {
        assertClientFramesMasked(transport(Internal.RAW_BINARY_FRAMES));
    }

    private static void assertClientFramesMasked(TyrusTransport transport) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder clientSide = new Recorder();
            transport.connect(ClientSpec.builder("masking", URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/raw"))
                    .compression(false).pingInterval(Duration.ZERO).build(), clientSide);
            try (Socket socket = listener.accept()) {
                RawPeer.answerHandshake(socket);
                WebSocketConnection client = next(clientSide.opens);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                Set<Integer> keys = new HashSet<>();
                for (int size : FRAME_SIZES) {
                    client.sendBinary(ByteBuffer.wrap(pattern(size)));
                    assertEquals(0x82, in.readUnsignedByte(), "final binary frame of " + size);
                    int second = in.readUnsignedByte();
                    assertEquals(0x80, second & 0x80, "masked");
                    int code = second & 0x7F;
                    long length = code == 126 ? in.readUnsignedShort() : code == 127 ? in.readLong() : code;
                    assertEquals(size < 126 ? size : size <= 0xFFFF ? 126 : 127, code, "length code of " + size);
                    assertEquals(size, length);
                    byte[] key = in.readNBytes(4);
                    keys.add(ByteBuffer.wrap(key).getInt());
                    byte[] payload = in.readNBytes(size);
                    for (int i = 0; i < size; i++) {
                        payload[i] ^= key[i % 4];
                    }
                    assertArrayEquals(pattern(size), payload, "payload of " + size);
                }
                assertTrue(keys.size() > 1, "a fresh key per frame: " + keys);
            }
        }
    }

    /**
     * Binary messages both ways, every length encoding and one sent in parts (one of them empty),
     * read by Tyrus on the other side (the client's unmasked by our filter first), echoed byte for
     * byte: with raw frames, and through each fallback sender.
     */
    @Test
    void binaryMessagesOfEveryLengthAndInPartsEchoThroughEachSender() throws Exception {
        assertBinaryEcho(transport());
        assertBinaryEcho(transport(Internal.RAW_BINARY_FRAMES));
        assertBinaryEcho(transport(Internal.SOCKET_FIELD, Internal.RAW_BINARY_FRAMES));
    }

    private static void assertBinaryEcho(TyrusTransport transport) throws Exception {
        WebSocketServer server = listen(transport, 1 << 20, new WebSocketHandler() {
            @Override
            public void onBinary(WebSocketConnection connection, ByteBuffer data) {
                connection.sendBinary(data);
            }
        });
        Recorder clientSide = new Recorder();
        transport.connect(ClientSpec.builder("c", uri(server)).compression(false).pingInterval(Duration.ZERO)
                .maxMessageSize(1 << 20).build(), clientSide);
        WebSocketConnection client = next(clientSide.opens);
        for (int size : FRAME_SIZES) {
            client.sendBinary(ByteBuffer.wrap(pattern(size)));
            assertArrayEquals(pattern(size), next(clientSide.binaries), "echo of " + size);
        }
        client.sendBinary(List.of(ByteBuffer.wrap(pattern(3)), ByteBuffer.allocate(0), ByteBuffer.wrap(pattern(70_000))));
        byte[] joined = new byte[70_003];
        System.arraycopy(pattern(3), 0, joined, 0, 3);
        System.arraycopy(pattern(70_000), 0, joined, 3, 70_000);
        assertArrayEquals(joined, next(clientSide.binaries), "echo of a message in parts");
        server.close();
    }

    // --- UNMASKED_FRAMES ------------------------------------------------------------------------

    /** What our filter hands Tyrus: a client frame without the mask bit, which Tyrus's server reads as it is. */
    @Test
    void tyrusServerReadsAClientFrameSentPlain() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(Internal.UNMASKED_FRAMES), SMALL_LIMIT, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            next(serverSide.opens);
            byte[] text = "plain".getBytes(StandardCharsets.US_ASCII);
            socket.getOutputStream().write(new byte[] {(byte) 0x81, (byte) text.length});
            socket.getOutputStream().write(text);
            assertEquals("plain", next(serverSide.texts));
        }
    }

    /**
     * Masked frames with keys that are not zero, written a few bytes at a time so headers and
     * keys may be split over reads, a fragmented text with a ping between its fragments, then a
     * binary over 64 KiB: the filter unmasks them and Tyrus delivers both messages.
     */
    @Test
    void theFilterUnmasksAClientsFramesHoweverTheyArrive() throws Exception {
        assertMaskedFramesDelivered(transport());
    }

    /** Fallback: Tyrus unmasks them. */
    @Test
    void withoutUnmaskedFramesTyrusUnmasksTheClientsFrames() throws Exception {
        assertMaskedFramesDelivered(transport(Internal.UNMASKED_FRAMES));
    }

    private static void assertMaskedFramesDelivered(TyrusTransport transport) throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport, 1 << 20, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            socket.setTcpNoDelay(true);
            next(serverSide.opens);
            OutputStream out = socket.getOutputStream();
            byte[] stream = concat(
                    maskedFrame(0x01, "héllo ".getBytes(StandardCharsets.UTF_8), 0xA1B2C3D4),
                    maskedFrame(0x89, "ping".getBytes(StandardCharsets.US_ASCII), 0xFFFFFFFF),
                    maskedFrame(0x80, "wörld".getBytes(StandardCharsets.UTF_8), 0x01020304));
            for (int i = 0; i < stream.length; i += 3) {
                out.write(stream, i, Math.min(3, stream.length - i));
                out.flush();
            }
            assertEquals("héllo wörld", next(serverSide.texts));
            out.write(maskedFrame(0x82, pattern(70_001), 0x5EED5EED));
            assertArrayEquals(pattern(70_001), next(serverSide.binaries));
        }
    }

    /** A client frame masked with {@code key}, a byte at a time as RFC 6455 §5.3 says. */
    private static byte[] maskedFrame(int first, byte[] payload, int key) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        byte[] header = RawPeer.frameHeader((first & 0x80) != 0, first & 0x0F, payload.length);
        frame.write(header, 0, header.length - 4);
        byte[] keyBytes = ByteBuffer.allocate(4).putInt(key).array();
        frame.writeBytes(keyBytes);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ keyBytes[i % 4]);
        }
        return frame.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    // --- ADD_ON_CONSTRUCTOR ---------------------------------------------------------------------

    /** No fallback: without Tyrus's add-on no server listens; the failure says why and releases the port. */
    @Test
    void withoutTheAddOnConstructorNoServerListensAndThePortIsFree() throws Exception {
        TyrusTransport working = transport();
        WebSocketServer probe = working.listen(ServerSpec.builder("probe").build());
        int port = probe.port();
        probe.close();
        IOException failure = assertThrows(IOException.class,
                () -> transport(Internal.ADD_ON_CONSTRUCTOR).listen(ServerSpec.builder("broken").port(port).build()));
        assertTrue(failure.getMessage().contains("WebSocketAddOn"), failure.getMessage());
        working.listen(ServerSpec.builder("again").port(port).build()).close();
    }

    // --- UPGRADED_CONTENT, HANDSHAKE_THREAD, REQUEST_CONTEXT ------------------------------------

    /**
     * Our filter sees the upgrade and the frames after it, and meets Tyrus's session: the peer has
     * its real port, and an oversize frame is closed through Tyrus with 1009, so the handler hears
     * 1009 too.
     */
    @Test
    void theFrameFilterMeetsTyrusSessionAtTheHandshake() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(), SMALL_LIMIT, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            WebSocketConnection accepted = next(serverSide.opens);
            assertEquals(new InetSocketAddress("127.0.0.1", socket.getLocalPort()), accepted.remoteAddress());
            socket.getOutputStream().write(RawPeer.frameHeader(0x1, SMALL_LIMIT + 1));
            assertEquals(new RawPeer.Close(1009, "Message too big: limit 1024 bytes"),
                    RawPeer.readClose(socket.getInputStream()));
            Recorder.Closed closed = next(serverSide.closes);
            assertEquals(1009, closed.code());
            assertEquals(1, accepted.metrics().snapshot().errors());
        }
    }

    /**
     * Fallback: without the handshake on the reading thread, the peer is the IP Tyrus knows,
     * without port, and the filter closes an oversize frame by itself: still 1009 on the wire,
     * one log line, no stack trace.
     */
    @Test
    void withoutTheHandshakeThreadThePeerLacksItsPortAndTheFilterCloses1009Itself() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(Internal.HANDSHAKE_THREAD), SMALL_LIMIT, serverSide);
        try (CapturedLogs logs = new CapturedLogs(); Socket socket = RawPeer.client(server.port(), "/ws")) {
            WebSocketConnection accepted = next(serverSide.opens);
            assertEquals(new InetSocketAddress("127.0.0.1", 0), accepted.remoteAddress());
            socket.getOutputStream().write(RawPeer.frameHeader(0x2, SMALL_LIMIT + 1));
            assertEquals(1009, RawPeer.readClose(socket.getInputStream()).code());
            next(serverSide.closes);
            assertEquals(1, logs.lines().stream().filter(line -> line.contains("over the limit")).count(),
                    () -> String.join("\n", logs.lines()));
            assertEquals(List.of(), logs.stackTraces());
        }
    }

    /** Fallback: without Tyrus's RequestContext either, the peer is unknown; the connection works. */
    @Test
    void withoutTheRequestContextThePeerIsUnknown() throws Exception {
        Recorder serverSide = new Recorder(true);
        WebSocketServer server = listen(transport(Internal.HANDSHAKE_THREAD, Internal.REQUEST_CONTEXT), SMALL_LIMIT,
                serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            WebSocketConnection accepted = next(serverSide.opens);
            assertTrue(accepted.remoteAddress().isUnresolved());
            assertEquals("unknown", accepted.remoteAddress().getHostString());
            assertEquals(0, accepted.remoteAddress().getPort());
        }
    }

    // --- HTTP_RELEASE ---------------------------------------------------------------------------

    /**
     * Once open, a connection runs without Grizzly's HTTP codec and the codec's request for it is
     * gone; on the wire it works as before: text both ways, the peer's ping answered, a frame over
     * the limit refused with 1009 after what came before it in the same write, and a close handshake
     * that waits for the peer's answer.
     */
    @Test
    void anOpenedConnectionLeavesTheHttpCodecAndItsRequestBehind() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(), SMALL_LIMIT, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            TyrusConnection accepted = (TyrusConnection) next(serverSide.opens);
            assertFalse(keepsHttpCodec(accepted.wire()), "still on the listener's chain, or its request kept");
            OutputStream out = socket.getOutputStream();
            out.write(frame(0x1, "up"));
            assertEquals("up", next(serverSide.texts));
            accepted.sendText("down");
            assertEquals("down", RawPeer.readFrame(socket.getInputStream()).text());
            out.write(frame(0x9, "ping"));
            RawPeer.Frame pong = RawPeer.readFrame(socket.getInputStream());
            assertEquals(0xA, pong.opcode());
            assertEquals("ping", pong.text());
            accepted.close(4002, "bye");
            assertEquals(new RawPeer.Close(4002, "bye"), RawPeer.readClose(socket.getInputStream()));
            out.write(frame(0x1, "in flight"));
            assertEquals("in flight", next(serverSide.texts), "delivered until the peer's Close");
            out.write(RawPeer.frameHeader(0x8, 2));
            out.write(new byte[] {(byte) (4002 >> 8), (byte) 4002});
            assertEquals(4002, next(serverSide.closes).code());
        }
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            next(serverSide.opens);
            byte[] fits = frame(0x1, "fits");
            byte[] over = RawPeer.frameHeader(0x1, SMALL_LIMIT + 1);
            byte[] both = Arrays.copyOf(fits, fits.length + over.length);
            System.arraycopy(over, 0, both, fits.length, over.length);
            socket.getOutputStream().write(both);
            assertEquals("fits", next(serverSide.texts));
            assertEquals(1009, RawPeer.readClose(socket.getInputStream()).code());
            assertEquals(1009, next(serverSide.closes).code());
        }
    }

    /**
     * Canary for {@link TyrusInternals#isIdleTimerWithoutTimeout}: Tyrus schedules its do-nothing idle
     * timer once per received message; the server's session scheduler answers each without a thread
     * waking, and every message arrives. Fails when Tyrus renames the task (it then runs, as before).
     */
    @Test
    void theIdleTimerTyrusSchedulesPerMessageIsNotRun() throws Exception {
        Recorder serverSide = new Recorder();
        TyrusServer server = (TyrusServer) listen(transport(), SMALL_LIMIT, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            next(serverSide.opens);
            long before = server.idleTimersSkipped();
            for (int i = 0; i < 50; i++) {
                socket.getOutputStream().write(frame(0x1, "m" + i));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals("m" + i, next(serverSide.texts));
            }
            assertTrue(server.idleTimersSkipped() - before >= 50, "skipped " + (server.idleTimersSkipped() - before));
        }
    }

    /** Fallback: the connection stays on the listener's chain, the codec keeps its request; it works. */
    @Test
    void withoutTheReleaseTheCodecKeepsItsRequest() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(Internal.HTTP_RELEASE), SMALL_LIMIT, serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/ws")) {
            TyrusConnection accepted = (TyrusConnection) next(serverSide.opens);
            assertTrue(keepsHttpCodec(accepted.wire()));
            socket.getOutputStream().write(frame(0x1, "up"));
            assertEquals("up", next(serverSide.texts));
        }
    }

    private static boolean keepsHttpCodec(org.glassfish.grizzly.Connection<?> wire) {
        return ((org.glassfish.grizzly.filterchain.FilterChain) wire.getProcessor())
                .indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class) >= 0
                || wire.getAttributes().getAttribute(org.glassfish.grizzly.http.HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME)
                        != null;
    }

    /** A client's frame, masked with a zero key. */
    private static byte[] frame(int opcode, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] header = RawPeer.frameHeader(opcode, payload.length);
        byte[] frame = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, frame, header.length, payload.length);
        return frame;
    }

    // --- OVERFLOW_REASON and Tyrus's error log ---------------------------------------------------

    /**
     * Fallback: without the frame filter, Tyrus's own frame buffer is the limit. Its close (1011
     * "Buffer overflow.") is reported to the handler as 1009, and its stack trace is kept out of
     * the log.
     */
    @Test
    void withoutTheFrameFilterTyrusClosesAFrameOverItsBufferQuietlyReportedAs1009() throws Exception {
        RawPeer.Close close = overflowTyrusBuffer(1009, Internal.UPGRADED_CONTENT);
        assertEquals(new RawPeer.Close(1011, LocalizationMessages.BUFFER_OVERFLOW()), close);
    }

    /** Fallback: without the overflow reason either, the handler is told what Tyrus sent: 1011. */
    @Test
    void withoutTheOverflowReasonTheHandlerSees1011() throws Exception {
        overflowTyrusBuffer(1011, Internal.UPGRADED_CONTENT, Internal.OVERFLOW_REASON);
    }

    private RawPeer.Close overflowTyrusBuffer(int reported, Internal... off) throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(transport(off), SMALL_LIMIT, serverSide);
        try (CapturedLogs logs = new CapturedLogs(); Socket socket = RawPeer.client(server.port(), "/ws")) {
            next(serverSide.opens);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(RawPeer.frameHeader(0x1, OVER_TYRUS_BUFFER));
                    byte[] payload = new byte[OVER_TYRUS_BUFFER];
                    Arrays.fill(payload, (byte) 'x');
                    out.write(payload);
                } catch (IOException closedByTheServer) {
                    // expected once Tyrus gave up
                }
            }, "test-overflow-writer");
            writer.setDaemon(true);
            writer.start();
            RawPeer.Close close = RawPeer.readClose(socket.getInputStream());
            assertNotNull(close);
            assertEquals(reported, next(serverSide.closes).code());
            assertEquals(List.of(), logs.stackTraces());
            return close;
        }
    }

    /** A client's Tyrus frame buffer overflows (there is no frame filter on the client side): reported as 1009. */
    @Test
    void aFrameOverAClientsTyrusBufferIsReportedAs1009() throws Exception {
        TyrusTransport transport = transport();
        WebSocketServer server = listen(transport, OVER_TYRUS_BUFFER, new WebSocketHandler() {
            @Override
            public void onOpen(WebSocketConnection connection) {
                connection.sendText("y".repeat(OVER_TYRUS_BUFFER));
            }
        });
        Recorder clientSide = new Recorder();
        transport.connect(ClientSpec.builder("small", uri(server)).maxMessageSize(SMALL_LIMIT).compression(false)
                .pingInterval(Duration.ZERO).build(), clientSide);
        next(clientSide.opens);
        Recorder.Closed closed = next(clientSide.closes);
        assertEquals(1009, closed.code(), closed.reason());
    }

    /** Tyrus's error log is quiet while a transport is open, and as it was once the last one closed. */
    @Test
    void tyrusErrorLogIsQuietOnlyWhileATransportIsOpen() throws Exception {
        Logger tyrusLog = Logger.getLogger(TyrusEndpointWrapper.class.getName());
        TyrusTransport first = transport();
        TyrusTransport second = transport();
        try (CapturedLogs logs = new CapturedLogs()) {
            tyrusLog.log(Level.WARNING, "Unexpected error", new IllegalStateException("boom"));
            first.close();
            tyrusLog.log(Level.WARNING, "Unexpected error", new IllegalStateException("boom"));
            assertEquals(List.of(), logs.stackTraces());
            assertEquals(2, logs.lines().stream()
                    .filter(line -> line.endsWith("unexpected error: java.lang.IllegalStateException: boom")).count(),
                    () -> String.join("\n", logs.lines()));
            second.close();
            assertNull(tyrusLog.getFilter(), "no transport open: Tyrus logs as it does");
        }
    }

    private static URI uri(WebSocketServer server) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
    }

    // --- SHARED_FRAMES and the selector thread -------------------------------------------------------

    private record Pair(TyrusConnection accepted, WebSocketConnection client) {
    }

    /** A connection without compression, both ends. */
    private static Pair uncompressed(TyrusTransport transport, Recorder serverSide, Recorder clientSide)
            throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("canary").compression(false)
                .maxMessageSize(SMALL_LIMIT).pingInterval(Duration.ZERO).build());
        server.addWebSocket("/ws", serverSide);
        transport.connect(ClientSpec.builder("c", uri(server)).compression(false).pingInterval(Duration.ZERO).build(),
                clientSide);
        WebSocketConnection client = next(clientSide.opens);
        return new Pair((TyrusConnection) next(serverSide.opens), client);
    }

    @Test
    void withoutSharedFramesTyrusEncodesEachMessage() throws Exception {
        Recorder serverSide = new Recorder();
        Recorder clientSide = new Recorder();
        TyrusConnection accepted = uncompressed(transport(Internal.SHARED_FRAMES), serverSide, clientSide).accepted();
        assertFalse(accepted.writesSharedFrames());
        assertTrue(accepted.send(SharedText.of("through Tyrus")));
        assertEquals("through Tyrus", next(clientSide.texts));
    }

    /** Records the thread each frame was handled on; says whether it never blocks. */
    private static final class ThreadRecorder extends Recorder {
        private final boolean neverBlocks;
        final java.util.concurrent.BlockingQueue<String> threads = new java.util.concurrent.LinkedBlockingQueue<>();

        ThreadRecorder(boolean neverBlocks) {
            this.neverBlocks = neverBlocks;
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            threads.add(Thread.currentThread().getName());
            super.onText(connection, text);
        }

        @Override
        public boolean neverBlocks() {
            return neverBlocks;
        }
    }

    /** A handler that never blocks is called on the selector thread; any other on the worker pool. */
    @Test
    void onlyAHandlerThatNeverBlocksRunsOnTheSelectorThread() throws Exception {
        for (boolean neverBlocks : new boolean[] {true, false}) {
            ThreadRecorder serverSide = new ThreadRecorder(neverBlocks);
            Pair pair = uncompressed(transport(), serverSide, new Recorder());
            pair.client().sendText("where");
            String thread = next(serverSide.threads);
            assertEquals(neverBlocks, thread.contains("-selector"), "never blocks: " + neverBlocks + ", ran on " + thread);
        }
    }
}
