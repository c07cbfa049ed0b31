package dev.switchboard.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class TunnelTest {

    private static final ByteBuffer HEAD = ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    /** Agent side: echoes every byte back, consumes at once, ends when the controller ends. */
    private static final ByteBuffer ANSWER = ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    private static final Tunnel.Acceptor ECHO = (stream, head) -> {
        stream.accept(ANSWER);
        return new TunnelStream.Handler() {
            @Override
            public void onData(TunnelStream s, ByteBuffer bytes) {
                int n = bytes.remaining();
                s.write(bytes);
                s.consumed(n);
            }

            @Override
            public void onEnd(TunnelStream s) {
                s.end();
            }

            @Override
            public void onReset(TunnelStream s, ResetCode code, String reason) {
            }
        };
    };

    /** Agent side for frames injected by hand: answers nothing, so the controller side stays out of it. */
    private static final Tunnel.Acceptor SILENT = (stream, head) -> {
        Collector collector = new Collector();
        collector.consume = false;
        return collector;
    };

    @Test
    void bytesComeBackInOrderFarBeyondOneWindow() throws Exception {
        try (TunnelPair pair = new TunnelPair(ECHO)) {
            byte[] sent = new byte[4 << 20];
            new Random(1).nextBytes(sent);
            Collector received = new Collector();
            TunnelStream stream = pair.controller.open("echo", HEAD, received);
            write(stream, sent, 10_000);
            stream.end();

            assertArrayEquals(sent, received.done.get(20, TimeUnit.SECONDS));
            assertTrue(received.accepted);
            await(() -> pair.controller.openStreams() == 0 && pair.agent.openStreams() == 0);
            assertEquals(sent.length, pair.controller.bytesOut());
            assertEquals(sent.length, pair.agent.bytesIn());
        }
    }

    @Test
    void whatTheFramesOfOneMessageAnswerLeavesInOneMessage() throws Exception {
        List<List<TunnelFrame>> sent = new CopyOnWriteArrayList<>();
        TunnelOutput recorded = new TunnelOutput() {
            @Override
            public CompletionStage<Void> send(List<ByteBuffer> parts) {
                ByteBuffer message = ByteBuffer.allocate(parts.stream().mapToInt(ByteBuffer::remaining).sum());
                parts.forEach(part -> message.put(part.duplicate()));
                try {
                    sent.add(new ProxyCodec(TunnelPair.MAX_FRAME).decode(message.flip()));
                } catch (TunnelProtocolException e) {
                    throw new AssertionError(e);
                }
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close(int code, String reason) {
            }
        };
        // the agent's streams write each DATA onward at once: a quarter window each earns a WINDOW
        Tunnel agent = new Tunnel("agent", recorded, TunnelPair.WINDOW, TunnelPair.MAX_FRAME, TunnelPair.WINDOW,
                TunnelPair.MAX_FRAME, (stream, head) -> new Collector(), null);
        int streams = 4;
        for (int id = 1; id <= streams; id++) {
            agent.receive(ProxyCodec.encode(new TunnelFrame.Open(id, "echo", HEAD)));
        }
        List<ByteBuffer> data = new ArrayList<>();
        for (int id = 1; id <= streams; id++) {
            ProxyCodec.encodeParts(new TunnelFrame.Data(id, ByteBuffer.allocate(TunnelPair.WINDOW / 4)), data);
        }
        ByteBuffer message = ByteBuffer.allocate(data.stream().mapToInt(ByteBuffer::remaining).sum());
        data.forEach(message::put);
        agent.receive(message.flip());

        assertEquals(1, sent.size(), "messages sent: " + sent);
        assertEquals(streams, sent.get(0).size());
        assertTrue(sent.get(0).stream().allMatch(frame -> frame instanceof TunnelFrame.Window));
    }

    @Test
    void aStalledStreamDoesNotStallAnother() throws Exception {
        try (TunnelPair pair = new TunnelPair(ECHO)) {
            // the stalled stream's reader never gives credit back: only its window is ever in flight
            Collector stalled = new Collector();
            stalled.consume = false;
            TunnelStream slow = pair.controller.open("echo", HEAD, stalled);
            boolean room = true;
            for (int i = 0; i < 64 && room; i++) {
                room = slow.write(ByteBuffer.allocate(8192));
            }
            assertFalse(room, "the stalled stream's writer is told to stop");

            Collector other = new Collector();
            TunnelStream fast = pair.controller.open("echo", HEAD, other);
            byte[] sent = new byte[TunnelPair.WINDOW * 20];
            new Random(2).nextBytes(sent);
            write(fast, sent, 8192);
            fast.end();

            assertArrayEquals(sent, other.done.get(20, TimeUnit.SECONDS));
            assertTrue(stalled.bytes.size() <= TunnelPair.WINDOW, "no more than one window reached the stalled reader");
            assertTrue(pair.agent.queuedBytes() <= TunnelPair.WINDOW + 8192,
                    "the agent holds at most one window (and one write) for the stalled stream: "
                            + pair.agent.queuedBytes());
        }
    }

    @Test
    void creditGivenBackWakesTheStalledWriter() throws Exception {
        try (TunnelPair pair = new TunnelPair(ECHO)) {
            CountDownLatch writable = new CountDownLatch(1);
            Collector received = new Collector() {
                @Override
                public void onWritable(TunnelStream stream) {
                    writable.countDown();
                }
            };
            TunnelStream stream = pair.controller.open("echo", HEAD, received);
            while (stream.write(ByteBuffer.allocate(8192))) {
                // fill past one window
            }
            assertTrue(writable.await(10, TimeUnit.SECONDS));
        }
    }

    /** Bad input: OPEN twice with stream id 1. */
    @Test
    void aReusedStreamIdClosesTheTunnel() throws Exception {
        try (TunnelPair pair = new TunnelPair(SILENT)) {
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Open(1, "echo", HEAD)));
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Open(1, "echo", HEAD)));
            assertEquals(4400, pair.closeCode);
            assertEquals("stream id 1 reused", pair.closeReason);
            assertTrue(pair.agent.isClosed());
        }
    }

    /** Bad input: a whole window of DATA, then one byte more without credit. */
    @Test
    void dataBeyondTheWindowClosesTheTunnel() throws Exception {
        try (TunnelPair pair = new TunnelPair(SILENT)) {
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Open(1, "echo", HEAD)));
            for (int i = 0; i < TunnelPair.WINDOW / TunnelPair.MAX_FRAME; i++) {
                pair.toAgent(ProxyCodec.encode(new TunnelFrame.Data(1, ByteBuffer.allocate(TunnelPair.MAX_FRAME))));
            }
            assertEquals(0, pair.closeCode, "a whole window is allowed");
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Data(1, ByteBuffer.allocate(1))));
            assertEquals(4400, pair.closeCode);
            assertEquals("window overrun on stream 1", pair.closeReason);
        }
    }

    /** Bad input: DATA for a stream never opened, ACCEPT sent by the controller, a frame of unknown type. */
    @Test
    void framesForStreamsNeverOpenedOrFromTheWrongSideCloseTheTunnel() throws Exception {
        try (TunnelPair pair = new TunnelPair(ECHO)) {
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Data(9, ByteBuffer.allocate(1))));
            assertEquals("frame for unknown stream 9", pair.closeReason);
        }
        try (TunnelPair pair = new TunnelPair(SILENT)) {
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Open(1, "echo", HEAD)));
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Accept(1, ANSWER)));
            assertEquals("ACCEPT from the controller", pair.closeReason);
        }
        try (TunnelPair pair = new TunnelPair(ECHO)) {
            pair.toAgent(ByteBuffer.allocate(9).put((byte) 0x7f).putInt(1).putInt(0).flip());
            assertEquals("unknown frame type 0x7f", pair.closeReason);
        }
    }

    /** Bad input (that is none): DATA for a stream reset a moment before. */
    @Test
    void aFrameCrossingAResetIsIgnored() throws Exception {
        try (TunnelPair pair = new TunnelPair(ECHO)) {
            Collector received = new Collector();
            TunnelStream stream = pair.controller.open("echo", HEAD, received);
            await(() -> pair.agent.openStreams() == 1);
            stream.reset(ResetCode.CANCEL, "browser gone");
            await(() -> pair.agent.openStreams() == 0);
            pair.toAgent(ProxyCodec.encode(new TunnelFrame.Data(1, ByteBuffer.allocate(1))));
            assertEquals(0, pair.closeCode);
        }
    }

    @Test
    void aLostTunnelResetsEveryStreamOnBothSides() throws Exception {
        CompletableFuture<String> agentSide = new CompletableFuture<>();
        Tunnel.Acceptor acceptor = (stream, head) -> new Collector() {
            @Override
            public void onReset(TunnelStream s, ResetCode code, String reason) {
                agentSide.complete(reason);
            }
        };
        try (TunnelPair pair = new TunnelPair(acceptor)) {
            Collector received = new Collector();
            pair.controller.open("echo", HEAD, received);
            await(() -> pair.agent.openStreams() == 1);
            pair.controller.close(1001, "endpoint restarting");
            assertEquals("endpoint restarting", received.reset.get(5, TimeUnit.SECONDS));
            assertEquals("peer closed: 1001 endpoint restarting", agentSide.get(5, TimeUnit.SECONDS));
            assertTrue(pair.agent.isClosed());
            assertEquals(null, pair.controller.open("echo", HEAD, new Collector()));
        }
    }

    @Test
    void aPingMeasuresTheRoundTrip() throws Exception {
        try (TunnelPair pair = new TunnelPair(ECHO)) {
            assertEquals(-1, pair.controller.roundTripMillis());
            pair.controller.ping();
            await(() -> pair.controller.roundTripMillis() >= 0);
        }
    }

    private static void write(TunnelStream stream, byte[] bytes, int chunk) throws InterruptedException {
        for (int at = 0; at < bytes.length; at += chunk) {
            int length = Math.min(chunk, bytes.length - at);
            // a real source stops reading on false and waits for onWritable; this one waits for room
            if (!stream.write(ByteBuffer.wrap(bytes, at, length).slice())) {
                AtomicLong start = new AtomicLong(System.nanoTime());
                while (stream.tunnel().queuedBytes() >= TunnelPair.WINDOW) {
                    if (System.nanoTime() - start.get() > TimeUnit.SECONDS.toNanos(20)) {
                        throw new AssertionError("no room for 20 s");
                    }
                    Thread.sleep(1);
                }
            }
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    /** Controller side: collects what comes back. */
    static class Collector implements TunnelStream.Handler {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final CompletableFuture<String> reset = new CompletableFuture<>();
        volatile boolean accepted;
        volatile boolean consume = true;

        @Override
        public void onAccept(TunnelStream stream, ByteBuffer head) {
            accepted = true;
        }

        @Override
        public synchronized void onData(TunnelStream stream, ByteBuffer data) {
            int n = data.remaining();
            byte[] copy = new byte[n];
            data.get(copy);
            bytes.write(copy, 0, n);
            if (consume) {
                stream.consumed(n);
            }
        }

        @Override
        public synchronized void onEnd(TunnelStream stream) {
            stream.end();
            done.complete(bytes.toByteArray());
        }

        @Override
        public void onReset(TunnelStream stream, ResetCode code, String reason) {
            reset.complete(reason);
        }
    }
}
