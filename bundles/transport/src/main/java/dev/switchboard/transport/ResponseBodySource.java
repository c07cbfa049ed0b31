package dev.switchboard.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The body of a service's HTTP/1.x response, read off its connection and freed of its framing
 * (Content-Length, chunked, or up to the end of the connection), for a proxy that frames it again
 * for the browser. So a body ends when its framing says, whether or not the service then closes its
 * connection; its owner learns whether the connection may carry another request: the body's end
 * was known from its framing and nothing came past it. Not thread-safe: fed by its stream.
 */
public final class ResponseBodySource implements ByteSource, ByteReceiver {

    private enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private enum Chunk { SIZE, DATA, DATA_END, TRAILER }

    private final ByteStream stream;
    private final Framing framing;
    private final Consumer<Boolean> ended;
    private long remaining;
    private Chunk chunk = Chunk.SIZE;
    private final StringBuilder line = new StringBuilder();
    private ByteReceiver target;
    private boolean finished;

    /**
     * @param stream      the connection, its response head read
     * @param headRequest whether the request was a HEAD (its answer has no body)
     * @param ended       told once, after the receiver's end: whether the connection may be used again
     */
    public ResponseBodySource(ByteStream stream, ResponseHead head, boolean headRequest, Consumer<Boolean> ended) {
        this.stream = stream;
        this.ended = ended;
        int status = head.status();
        if (headRequest || status < 200 || status == 204 || status == 304) {
            framing = Framing.NONE;
        } else if (head.header("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false)) {
            framing = Framing.CHUNKED;
        } else if (head.header("Content-Length").isPresent()) {
            framing = Framing.LENGTH;
            remaining = Long.parseLong(head.header("Content-Length").get().trim());
        } else {
            framing = Framing.UNTIL_CLOSE;
        }
    }

    @Override
    public void receive(ByteReceiver receiver) {
        target = receiver;
        if (framing == Framing.NONE || framing == Framing.LENGTH && remaining == 0) {
            finish(true);
        } else {
            stream.receive(this);
        }
    }

    @Override
    public void pause() {
        stream.pause();
    }

    @Override
    public void resume() {
        stream.resume();
    }

    @Override
    public void onBytes(ByteBuffer bytes) {
        if (finished) {
            return;
        }
        switch (framing) {
            case LENGTH -> {
                int take = (int) Math.min(remaining, bytes.remaining());
                boolean past = bytes.remaining() > take;
                remaining -= take;
                target.onBytes(bytes.limit(bytes.position() + take));
                if (remaining == 0) {
                    finish(!past);
                }
            }
            case CHUNKED -> {
                dechunk(bytes);
                if (finished) {
                    ended.accept(!bytes.hasRemaining());
                }
            }
            default -> target.onBytes(bytes);
        }
    }

    private void dechunk(ByteBuffer bytes) {
        while (bytes.hasRemaining() && !finished) {
            switch (chunk) {
                case SIZE, TRAILER -> {
                    if (!readLine(bytes)) {
                        return;
                    }
                    String text = line.toString().trim();
                    line.setLength(0);
                    if (chunk == Chunk.TRAILER) {
                        if (text.isEmpty()) {
                            finished = true;
                            target.onEnd();
                        }
                    } else {
                        int extension = text.indexOf(';');
                        remaining = Long.parseLong(extension < 0 ? text : text.substring(0, extension).trim(), 16);
                        chunk = remaining == 0 ? Chunk.TRAILER : Chunk.DATA;
                    }
                }
                case DATA -> {
                    int take = (int) Math.min(remaining, bytes.remaining());
                    ByteBuffer part = bytes.slice(bytes.position(), take);
                    bytes.position(bytes.position() + take);
                    remaining -= take;
                    if (remaining == 0) {
                        chunk = Chunk.DATA_END;
                    }
                    target.onBytes(part);
                }
                case DATA_END -> {
                    if (readLine(bytes)) {
                        line.setLength(0);
                        chunk = Chunk.SIZE;
                    }
                }
            }
        }
    }

    /** Reads up to a line feed; false while the line is incomplete. */
    private boolean readLine(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            char c = (char) (bytes.get() & 0xFF);
            if (c == '\n') {
                return true;
            }
            if (line.length() > 4096) {
                throw new IllegalStateException("chunk line too long");
            }
            line.append(c);
        }
        return false;
    }

    @Override
    public void onEnd() {
        if (framing == Framing.UNTIL_CLOSE) {
            finish(false);
        } else if (!finished) {
            finished = true;
            target.onClosed(true);
            stream.close();
        }
    }

    @Override
    public void onClosed(boolean reset) {
        if (!finished) {
            finished = true;
            target.onClosed(true);
        }
    }

    /** {@code reusable}: the end was the framing's, with nothing past it. */
    private void finish(boolean reusable) {
        finished = true;
        target.onEnd();
        ended.accept(reusable && framing != Framing.UNTIL_CLOSE);
    }

    /** The bytes of one chunk as a request body sends it. */
    public static ByteBuffer chunk(ByteBuffer data) {
        byte[] size = (Integer.toHexString(data.remaining()) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer framed = ByteBuffer.allocate(size.length + data.remaining() + 2);
        return framed.put(size).put(data).put((byte) '\r').put((byte) '\n').flip();
    }
}
