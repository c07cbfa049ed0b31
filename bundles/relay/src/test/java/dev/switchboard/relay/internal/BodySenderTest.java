package dev.switchboard.relay.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSource;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.ResponseHead;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a response goes over the control channel: whole in one RESPONSE frame when its body ended
 * among the bytes read with its head, else as a response message followed by DATA frames and END.
 */
class BodySenderTest {

    private static final ResponseHead OK = ResponseHead.of(200, "OK", List.of(new HttpHeader("Content-Length", "2")));

    /** What a sender sent, in order: "text", or the binary frame's type and payload. */
    private final List<String> sent = new ArrayList<>();
    private final BodySender.Frames frames = new BodySender.Frames() {
        @Override
        public void sendBinary(ByteBuffer frame) {
            RelayCodec.Frame decoded = RelayCodec.frame(frame);
            ByteBuffer payload = decoded.payload();
            if (decoded.type() == RelayCodec.RESPONSE) {
                RelayCodec.responseHead(payload);
            }
            sent.add(decoded.type() + ":" + ISO_8859_1.decode(payload));
        }

        @Override
        public void sendText(String message) {
            sent.add("text");
        }
    };

    @Test
    void aBodyThatEndsWithTheBytesReadWithItsHeadIsOneResponseFrame() {
        Source source = new Source(List.of("o", "k"), true);
        new BodySender(7, source, frames, OK, () -> sent.add("ended"), () -> sent.add("aborted")).start();
        assertEquals(List.of(RelayCodec.RESPONSE + ":ok", "ended"), sent);
    }

    @Test
    void aBodyStillComingIsStreamedAfterTheHead() {
        Source source = new Source(List.of("o"), false);
        new BodySender(7, source, frames, OK, () -> sent.add("ended"), () -> sent.add("aborted")).start();
        assertEquals(List.of("text", RelayCodec.DATA + ":o"), sent);
        source.receiver.onBytes(ByteBuffer.wrap("k".getBytes(ISO_8859_1)));
        source.receiver.onEnd();
        assertEquals(List.of("text", RelayCodec.DATA + ":o", RelayCodec.DATA + ":k", RelayCodec.END + ":", "ended"), sent);
    }

    /** Bad input: a body whose first read is bigger than a frame may carry goes streamed, in frames of at most 64 KiB. */
    @Test
    void aFirstReadOverAFrameIsStreamed() {
        String big = "x".repeat(BodySender.MAX_FRAME + 1);
        Source source = new Source(List.of(big), true);
        new BodySender(7, source, frames, OK, () -> sent.add("ended"), () -> sent.add("aborted")).start();
        assertEquals(List.of("text", RelayCodec.DATA + ":" + big.substring(1), RelayCodec.DATA + ":x",
                RelayCodec.END + ":", "ended"), sent);
    }

    /** Bad input: a service breaking off before the body's end: the head goes out, then the abort. */
    @Test
    void aBodyBrokenOffWhileStartingSendsItsHeadBeforeTheAbort() {
        Source source = new Source(List.of("o"), false);
        source.reset = true;
        new BodySender(7, source, frames, OK, () -> sent.add("ended"), () -> sent.add("aborted")).start();
        assertEquals(List.of("text", RelayCodec.DATA + ":o", "aborted"), sent);
    }

    /** Delivers its early bytes (and end, or reset) inside {@code receive}, as a stream read with its head does. */
    private static final class Source implements ByteSource {
        private final List<String> early;
        private final boolean ends;
        private boolean reset;
        private ByteReceiver receiver;

        Source(List<String> early, boolean ends) {
            this.early = early;
            this.ends = ends;
        }

        @Override
        public void receive(ByteReceiver target) {
            receiver = target;
            early.forEach(bytes -> target.onBytes(ByteBuffer.wrap(bytes.getBytes(ISO_8859_1))));
            if (ends) {
                target.onEnd();
            }
            if (reset) {
                target.onClosed(true);
            }
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }
    }
}
