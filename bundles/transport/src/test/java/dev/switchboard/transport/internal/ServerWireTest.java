package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.Recorder.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a server puts on the wire when clients misbehave or it stops, read by a client on a raw socket. */
class ServerWireTest {

    private static final int LIMIT = 1 << 20;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CONTINUATION = 0x0;
    private static final long HUNDRED_MIB = 100L << 20;

    private final TyrusTransport transport = new TyrusTransport();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private WebSocketServer listen(Recorder handler) throws IOException {
        WebSocketServer server = transport.listen(ServerSpec.builder("wire").maxMessageSize(LIMIT)
                .pingInterval(Duration.ZERO).build());
        server.addWebSocket("/in", handler);
        return server;
    }

    static Stream<Arguments> oversizeFrames() {
        return Stream.of(LIMIT + 1L, 5L << 20, 20L << 20, HUNDRED_MIB)
                .flatMap(size -> Stream.of(Arguments.of("text", TEXT, size), Arguments.of("binary", BINARY, size)));
    }

    /**
     * Bad input: one frame over the limit, at sizes up to 100 MiB, streamed by a client that
     * writes as long as the server lets it. The server answers 1009 on the wire as soon as the
     * header says too big, stops reading (the 100 MiB never all arrive), and logs one line and
     * no stack trace.
     */
    @ParameterizedTest(name = "{0} frame of {2} bytes")
    @MethodSource("oversizeFrames")
    void anOversizeFrameIsAnswered1009OnTheWireWithOneLogLine(String kind, int opcode, long size) throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(serverSide);
        try (CapturedLogs logs = new CapturedLogs(); Socket socket = RawPeer.client(server.port(), "/in")) {
            next(serverSide.opens);
            AtomicLong written = new AtomicLong();
            Thread writer = stream(socket.getOutputStream(), RawPeer.frameHeader(opcode, size), size, written);

            RawPeer.Close close = RawPeer.readClose(socket.getInputStream());
            assertNotNull(close, "a close frame before the end of the stream");
            assertEquals(1009, close.code(), close.reason());
            assertEquals(1009, next(serverSide.closes).code());
            writer.join(15_000);
            assertFalse(writer.isAlive(), "the server closed the connection: the writer stopped");
            if (size == HUNDRED_MIB) {
                assertTrue(written.get() < size, "the server stopped reading; the client wrote " + written);
            }
            assertTrue(serverSide.texts.isEmpty());
            assertEquals(1, oversizeLines(logs).size(), () -> String.join("\n", logs.lines()));
            assertEquals(List.of(), logs.stackTraces());
        }
    }

    /** Bad input: a message in fragments that each fit but together do not; refused at the fragment that tips it. */
    @Test
    void fragmentsAddingUpOverTheLimitAreAnswered1009() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/in")) {
            next(serverSide.opens);
            OutputStream out = socket.getOutputStream();
            out.write(RawPeer.frameHeader(false, TEXT, LIMIT / 2));
            out.write(payload(LIMIT / 2));
            out.write(RawPeer.frameHeader(true, CONTINUATION, LIMIT / 2 + 1));
            out.flush();
            assertEquals(1009, RawPeer.readClose(socket.getInputStream()).code());
            assertEquals(1009, next(serverSide.closes).code());
        }
    }

    /** A message that fits, sent in the same write as an oversize frame, is delivered before the 1009. */
    @Test
    void framesBeforeAnOversizeOneInTheSameReadAreDelivered() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(serverSide);
        try (Socket socket = RawPeer.client(server.port(), "/in")) {
            next(serverSide.opens);
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(RawPeer.frameHeader(TEXT, 5));
            both.writeBytes("hello".getBytes(StandardCharsets.US_ASCII));
            both.writeBytes(RawPeer.frameHeader(TEXT, HUNDRED_MIB));
            socket.getOutputStream().write(both.toByteArray());
            assertEquals(1009, RawPeer.readClose(socket.getInputStream()).code());
            assertEquals("hello", next(serverSide.texts));
            assertEquals(1009, next(serverSide.closes).code());
        }
    }

    /** The peer of a server connection is the client's address with its real port (not :0). */
    @Test
    void aServerConnectionKnowsThePeersRealPort() throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(serverSide);
        try (Socket first = RawPeer.client(server.port(), "/in"); Socket second = RawPeer.client(server.port(), "/in")) {
            Set<InetSocketAddress> peers = Set.of(next(serverSide.opens).remoteAddress(), next(serverSide.opens).remoteAddress());
            assertEquals(Set.of(new InetSocketAddress("127.0.0.1", first.getLocalPort()),
                    new InetSocketAddress("127.0.0.1", second.getLocalPort())), peers);
        }
    }

    /**
     * A server stopping for a restart says 1001 (going away), one that is removed 1000: each
     * client reads that code and reason from the wire.
     */
    @ParameterizedTest
    @ValueSource(ints = {1000, 1001})
    void aServerCloseSendsItsCodeOnTheWire(int code) throws Exception {
        Recorder serverSide = new Recorder();
        WebSocketServer server = listen(serverSide);
        String reason = code == 1001 ? "Server restarting" : "Endpoint removed";
        try (Socket first = RawPeer.client(server.port(), "/in"); Socket second = RawPeer.client(server.port(), "/in")) {
            next(serverSide.opens);
            next(serverSide.opens);
            server.close(code, reason);
            for (Socket socket : List.of(first, second)) {
                assertEquals(new RawPeer.Close(code, reason), RawPeer.readClose(socket.getInputStream()));
            }
        }
    }

    private static List<String> oversizeLines(CapturedLogs logs) {
        return logs.lines().stream().filter(line -> line.contains("1009") || line.contains("over the limit")).toList();
    }

    private static byte[] payload(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    /** Writes the header, then payload up to {@code size} bytes for as long as the server takes them. */
    private static Thread stream(OutputStream out, byte[] header, long size, AtomicLong written) {
        Thread writer = new Thread(() -> {
            byte[] chunk = payload(64 * 1024);
            try {
                out.write(header);
                for (long left = size; left > 0; ) {
                    int n = (int) Math.min(chunk.length, left);
                    out.write(chunk, 0, n);
                    written.addAndGet(n);
                    left -= n;
                }
                out.flush();
            } catch (IOException closedByTheServer) {
                // what is expected once the server has answered
            }
        }, "test-oversize-writer");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }
}
