package dev.switchboard.transport.internal;

import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.glassfish.tyrus.spi.WriterInfo;

/**
 * Writes a session's binary messages as frames encoded here, through Tyrus's socket
 * ({@link TyrusInternals.Internal#RAW_BINARY_FRAMES}): the payload is copied once into the frame,
 * and a client's is masked eight bytes at a time ({@link WebSocketMask}) with a fresh key from a
 * strong source per frame (RFC 6455 §5.3). Tyrus copies twice and masks a byte at a time. Text
 * stays Tyrus's to encode. For sessions without extensions only: they rewrite every frame.
 */
final class RawFrameSender implements TyrusInternals.Sender {

    private static final WriterInfo ASYNC_TEXT =
            new WriterInfo(WriterInfo.MessageType.TEXT, WriterInfo.RemoteEndpointType.ASYNC);
    private static final int BINARY_FIN = 0x82;
    private static final int MASK_BIT = 0x80;

    private final Session session;
    private final TyrusWebSocket socket;
    /** Masking keys on a client; null on a server, whose frames are not masked. */
    private final SecureRandom keys;

    RawFrameSender(Session session, TyrusWebSocket socket, boolean client) {
        this.session = session;
        this.socket = socket;
        this.keys = client ? new SecureRandom() : null;
    }

    @Override
    public void sendText(String text, SendHandler done) {
        socket.sendText(text, done, ASYNC_TEXT);
    }

    @Override
    public void sendBinary(List<ByteBuffer> parts, SendHandler done) {
        ByteBuffer frame = ByteBuffer.wrap(frame(parts, keys == null ? 0 : keys.nextInt(), keys != null));
        // TyrusFuture is a CompletableFuture (checked when the internal is detected)
        ((CompletableFuture<?>) socket.sendRawFrame(frame)).whenComplete((written, error) ->
                done.onResult(error == null ? new SendResult(session) : new SendResult(session, error)));
    }

    @Override
    public boolean direct() {
        return true;
    }

    /** One final binary frame holding {@code parts}' remaining bytes, masked with {@code key} when {@code masked}. */
    static byte[] frame(List<ByteBuffer> parts, int key, boolean masked) {
        int length = TyrusInternals.Sender.length(parts);
        int lengthBytes = length < 126 ? 0 : length <= 0xFFFF ? 2 : 8;
        int payloadStart = 2 + lengthBytes + (masked ? 4 : 0);
        byte[] frame = new byte[payloadStart + length];
        ByteBuffer out = ByteBuffer.wrap(frame);
        out.put((byte) BINARY_FIN);
        int maskBit = masked ? MASK_BIT : 0;
        if (lengthBytes == 0) {
            out.put((byte) (maskBit | length));
        } else if (lengthBytes == 2) {
            out.put((byte) (maskBit | 126)).putShort((short) length);
        } else {
            out.put((byte) (maskBit | 127)).putLong(length);
        }
        if (masked) {
            out.putInt(key);
        }
        parts.forEach(part -> out.put(part.duplicate()));
        if (masked) {
            WebSocketMask.apply(frame, payloadStart, payloadStart, length, key);
        }
        return frame;
    }
}
