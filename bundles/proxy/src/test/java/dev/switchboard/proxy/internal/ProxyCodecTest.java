package dev.switchboard.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyCodecTest {

    private final ProxyCodec codec = new ProxyCodec(65_536);

    @Test
    void everyFrameTypeSurvivesARoundTripInOneMessage() throws Exception {
        ByteBuffer head = ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        List<TunnelFrame> frames = List.of(new TunnelFrame.Open(1, "kuma", head), new TunnelFrame.Accept(1, ascii("HTTP/1.1 101 Switching Protocols\r\n\r\n")),
                new TunnelFrame.Data(1, ascii("hello")), new TunnelFrame.End(1),
                new TunnelFrame.Reset(3, ResetCode.REFUSED, "connection refused"), new TunnelFrame.Window(1, 65_536),
                new TunnelFrame.Ping(42), new TunnelFrame.Pong(-7));
        int size = frames.stream().mapToInt(ProxyCodec::size).sum();
        ByteBuffer message = ByteBuffer.allocate(size);
        frames.forEach(frame -> ProxyCodec.encode(frame, message));

        List<TunnelFrame> decoded = codec.decode(message.flip());

        assertEquals(frames.size(), decoded.size());
        TunnelFrame.Open open = (TunnelFrame.Open) decoded.get(0);
        assertEquals("kuma", open.service());
        assertEquals(head.rewind(), open.head());
        assertEquals(new TunnelFrame.Accept(1, ascii("HTTP/1.1 101 Switching Protocols\r\n\r\n")), decoded.get(1));
        assertEquals("hello", text(((TunnelFrame.Data) decoded.get(2)).bytes()));
        assertEquals(frames.subList(3, 8), decoded.subList(3, 8));
    }

    /** The parts a tunnel message is sent as: joined, they are the message {@link ProxyCodec#encode} makes; DATA payloads are shared, not copied. */
    @Test
    void framesAsPartsJoinToTheEncodedMessageAndShareTheirPayloads() throws Exception {
        ByteBuffer payload = ascii("a payload");
        List<TunnelFrame> frames = List.of(new TunnelFrame.Window(1, 4096), new TunnelFrame.Data(1, payload),
                new TunnelFrame.End(1), new TunnelFrame.Data(3, ascii("x")));
        List<ByteBuffer> parts = new ArrayList<>();
        frames.forEach(frame -> ProxyCodec.encodeParts(frame, parts));

        ByteBuffer joined = ByteBuffer.allocate(parts.stream().mapToInt(ByteBuffer::remaining).sum());
        parts.forEach(part -> joined.put(part.duplicate()));
        ByteBuffer encoded = ByteBuffer.allocate(frames.stream().mapToInt(ProxyCodec::size).sum());
        frames.forEach(frame -> ProxyCodec.encode(frame, encoded));
        assertEquals(encoded.flip(), joined.flip());
        assertEquals(frames.size(), codec.decode(joined).size());
        assertTrue(parts.stream().anyMatch(part -> part.array() == payload.array()), "the payload is not copied");
        assertEquals(9, payload.remaining(), "the caller's buffer is left as it was");
    }

    @Test
    void anUnknownTypeIsRefusedWithItsNumber() {
        ByteBuffer message = ByteBuffer.allocate(9).put((byte) 0x2a).putInt(1).putInt(0).flip();
        assertEquals("unknown frame type 0x2a", refused(message));
    }

    @Test
    void lengthsAreCheckedAgainstTheMessageAndTheFrameType() {
        assertEquals("bad length 100 for DATA: 3 bytes left in the message",
                refused(header(TunnelFrame.DATA, 1, 100).put(new byte[3]).flip()));
        assertEquals("bad length 4294967295 for DATA: 0 bytes left in the message",
                refused(header(TunnelFrame.DATA, 1, -1).flip()));
        assertEquals("bad length 0 for DATA: expected 1 to 65536", refused(header(TunnelFrame.DATA, 1, 0).flip()));
        assertEquals("bad length 3 for WINDOW: expected 4 bytes",
                refused(header(TunnelFrame.WINDOW, 1, 3).put(new byte[3]).flip()));
        assertEquals("bad length 1 for END: expected none", refused(header(TunnelFrame.END, 1, 1).put((byte) 0).flip()));
        assertEquals("bad length 1 for RESET: expected 2 to 125",
                refused(header(TunnelFrame.RESET, 1, 1).put((byte) 0).flip()));
        assertEquals("truncated frame: 5 bytes left for a 9-byte header",
                refused(ByteBuffer.allocate(5).put(TunnelFrame.END).flip().limit(5)));
        assertEquals("empty binary message", refused(ByteBuffer.allocate(0)));
    }

    @Test
    void dataLargerThanTheAnnouncedMaximumIsRefused() {
        ProxyCodec small = new ProxyCodec(16_384);
        ByteBuffer message = ProxyCodec.encode(new TunnelFrame.Data(1, ByteBuffer.allocate(16_385)));
        TunnelProtocolException e = assertThrows(TunnelProtocolException.class, () -> small.decode(message));
        assertEquals("bad length 16385 for DATA: expected 1 to 16384", e.getMessage());
    }

    @Test
    void streamIdsAreZeroExactlyForTunnelFrames() {
        assertEquals("bad stream id 1 for PING", refused(header(TunnelFrame.PING, 1, 8).putLong(0).flip()));
        assertEquals("bad stream id 0 for DATA", refused(header(TunnelFrame.DATA, 0, 1).put((byte) 0).flip()));
        assertEquals("bad stream id 2147483648 for END", refused(header(TunnelFrame.END, Integer.MIN_VALUE, 0).flip()));
    }

    @Test
    void openNeedsAServiceNameAndAHead() {
        ByteBuffer noService = header(TunnelFrame.OPEN, 1, 5).put((byte) 0).putInt(0).flip();
        assertTrue(refused(noService).startsWith("bad length 5 for OPEN"));
        ByteBuffer noHead = header(TunnelFrame.OPEN, 1, 2).put((byte) 1).put((byte) 'a').flip();
        assertTrue(refused(noHead).startsWith("bad length 2 for OPEN"));
    }

    /** Bad input: a request line without a version (the parser itself is tested in transport). */
    @Test
    void requestHeadsSurviveTheOpenFrame() {
        RequestHead head = new RequestHead("GET", "/a%20b?x=1", "HTTP/1.1",
                List.of(new HttpHeader("Host", "kuma.test"), new HttpHeader("Upgrade", "websocket")));
        ByteBuffer payload = ByteBuffer.allocate(1 + head.bytes().length).put((byte) 7).put(head.bytes()).flip();
        assertEquals(head, ProxyCodec.requestHead(payload.position(1)));
        assertThrows(IllegalArgumentException.class, () -> ProxyCodec.requestHead(ascii("GET /\r\n\r\n")));
    }

    @Test
    void aZeroWindowIncrementIsRefused() {
        assertEquals("bad WINDOW increment 0 on stream 1", refused(header(TunnelFrame.WINDOW, 1, 4).putInt(0).flip()));
    }

    @Test
    void aLongResetReasonIsCutAtACharacterBoundary() throws Exception {
        String reason = "é".repeat(100);
        ByteBuffer message = ProxyCodec.encode(new TunnelFrame.Reset(1, ResetCode.CANCEL, reason));
        TunnelFrame.Reset reset = (TunnelFrame.Reset) codec.decode(message).get(0);
        assertEquals("é".repeat(61), reset.reason());
        assertEquals(ResetCode.CANCEL, reset.code());
    }

    @Test
    void dataIsASliceOfTheMessageNotACopy() throws Exception {
        ByteBuffer message = ProxyCodec.encode(new TunnelFrame.Data(5, ascii("abc")));
        ByteBuffer bytes = ((TunnelFrame.Data) codec.decode(message).get(0)).bytes();
        message.put(ProxyCodec.HEADER_BYTES, (byte) 'x');
        assertEquals("xbc", text(bytes));
    }

    @Test
    void helloAndWelcomeRoundTripAndTheTokenIsNeverShown() throws Exception {
        ProxyCodec.Hello hello = new ProxyCodec.Hello("home", "s3cret", 262_144, 65_536, "run-1", 1, 2);
        String json = ProxyCodec.hello(hello);
        assertEquals(hello, ProxyCodec.readHello(json));
        assertFalse(hello.toString().contains("s3cret"));

        ProxyCodec.Welcome welcome = new ProxyCodec.Welcome(262_144, 65_536, 30);
        assertEquals(welcome, ProxyCodec.readWelcome(ProxyCodec.welcome(welcome)));
    }

    @Test
    void aBadHelloSaysWhatIsWrongWithoutQuotingIt() {
        for (String text : List.of("{", "[]", "{\"type\":\"hello\",\"version\":2}",
                "{\"type\":\"hello\",\"version\":1,\"name\":\"a\",\"token\":\"s3cret\",\"window\":10,\"maxFrame\":65536}",
                "{\"type\":\"hello\",\"version\":1,\"token\":\"s3cret\",\"window\":65536,\"maxFrame\":65536}",
                "{\"type\":\"hello\",\"version\":1,\"name\":\"a\",\"token\":\"s3cret\",\"window\":65536,"
                        + "\"maxFrame\":65536,\"tunnel\":2,\"tunnels\":2}",
                "{\"type\":\"hello\",\"version\":1,\"name\":\"a\",\"token\":\"s3cret\",\"window\":65536,"
                        + "\"maxFrame\":65536,\"tunnels\":9}")) {
            TunnelProtocolException e = assertThrows(TunnelProtocolException.class, () -> ProxyCodec.readHello(text));
            assertTrue(e.getMessage().startsWith("bad hello: "), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"));
        }
    }

    private String refused(ByteBuffer message) {
        return assertThrows(TunnelProtocolException.class, () -> codec.decode(message)).getMessage();
    }

    private static ByteBuffer header(byte type, int streamId, int length) {
        return ByteBuffer.allocate(64).put(type).putInt(streamId).putInt(length);
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer bytes) {
        return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
    }
}
