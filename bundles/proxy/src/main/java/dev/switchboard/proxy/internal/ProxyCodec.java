package dev.switchboard.proxy.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tunnel frames ⇄ bytes (PROTOCOL.md §2), and the JSON hello and welcome (§1). Decoding checks
 * every length against its frame type, so a malformed message is refused with the reason the
 * tunnel is closed with, before anything of it is acted upon.
 */
public final class ProxyCodec {

    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 9;
    public static final int MAX_HEAD_BYTES = 65_536;
    public static final int MIN_MAX_FRAME = 16_384;
    public static final int MAX_MAX_FRAME = 1 << 20;
    public static final int MIN_WINDOW = 65_536;
    static final int MAX_REASON_BYTES = 123;
    /** The most tunnel connections one agent instance holds. */
    public static final int MAX_TUNNELS = 8;
    static final int MAX_INSTANCE_CHARS = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The agent's hello; {@link #toString()} never shows the token.
     *
     * @param instance the agent's run, the same on each of its tunnel connections; empty from an agent
     *                 that does not say (each of its connections is then an instance of its own)
     * @param tunnel   which of the instance's {@code tunnels} connections this is, from 0
     */
    public record Hello(String name, String token, int window, int maxFrame, String instance, int tunnel,
                        int tunnels) {
        @Override
        public String toString() {
            return "Hello[name=" + name + ", window=" + window + ", maxFrame=" + maxFrame + ", instance=" + instance
                    + ", tunnel=" + tunnel + "/" + tunnels + "]";
        }
    }

    public record Welcome(int window, int maxFrame, int pingSeconds) {
    }

    private final int maxFrame;

    /** @param maxFrame the largest DATA payload this side accepts (what it announced) */
    public ProxyCodec(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    // --- binary frames --------------------------------------------------------------------------

    /** The encoded size of {@code frame}. */
    public static int size(TunnelFrame frame) {
        return HEADER_BYTES + payloadSize(frame);
    }

    /** Appends {@code frame} to {@code out}, which must have {@link #size} bytes left. */
    public static void encode(TunnelFrame frame, ByteBuffer out) {
        out.put(type(frame)).putInt(frame.streamId()).putInt(payloadSize(frame));
        if (frame instanceof TunnelFrame.Open open) {
            byte[] service = open.service().getBytes(StandardCharsets.UTF_8);
            out.put((byte) service.length).put(service).put(open.head().duplicate());
        } else if (frame instanceof TunnelFrame.Accept accept) {
            out.put(accept.head().duplicate());
        } else if (frame instanceof TunnelFrame.Data data) {
            out.put(data.bytes().duplicate());
        } else if (frame instanceof TunnelFrame.Reset reset) {
            out.putShort((short) reset.code().code()).put(reason(reset));
        } else if (frame instanceof TunnelFrame.Window window) {
            out.putInt(window.increment());
        } else if (frame instanceof TunnelFrame.Ping ping) {
            out.putLong(ping.payload());
        } else if (frame instanceof TunnelFrame.Pong pong) {
            out.putLong(pong.payload());
        }
    }

    /** Appends {@code frame} to {@code parts}: a DATA frame as its header and its payload (not copied), any other whole. */
    public static void encodeParts(TunnelFrame frame, List<ByteBuffer> parts) {
        if (frame instanceof TunnelFrame.Data data) {
            parts.add(ByteBuffer.allocate(HEADER_BYTES).put(TunnelFrame.DATA).putInt(data.streamId())
                    .putInt(data.bytes().remaining()).flip());
            parts.add(data.bytes().duplicate());
        } else {
            parts.add(encode(frame));
        }
    }

    /** One frame alone as a message (tests, control frames). */
    public static ByteBuffer encode(TunnelFrame frame) {
        ByteBuffer out = ByteBuffer.allocate(size(frame));
        encode(frame, out);
        return out.flip();
    }

    /**
     * Every frame of one binary message. DATA payloads are slices of {@code message}, not copies.
     *
     * @throws TunnelProtocolException for an unknown type, a bad length, a bad stream id
     */
    public List<TunnelFrame> decode(ByteBuffer message) throws TunnelProtocolException {
        ByteBuffer in = message.slice();
        List<TunnelFrame> frames = new ArrayList<>(4);
        if (!in.hasRemaining()) {
            throw new TunnelProtocolException("empty binary message");
        }
        while (in.hasRemaining()) {
            if (in.remaining() < HEADER_BYTES) {
                throw new TunnelProtocolException("truncated frame: " + in.remaining() + " bytes left for a 9-byte header");
            }
            byte type = in.get();
            int streamId = in.getInt();
            int length = in.getInt();
            String name = name(type);
            if (length < 0 || length > in.remaining()) {
                throw new TunnelProtocolException("bad length " + Integer.toUnsignedString(length) + " for " + name
                        + ": " + in.remaining() + " bytes left in the message");
            }
            checkStreamId(type, streamId, name);
            ByteBuffer payload = in.slice(in.position(), length);
            in.position(in.position() + length);
            frames.add(frame(type, streamId, payload, name));
        }
        return frames;
    }

    private TunnelFrame frame(byte type, int streamId, ByteBuffer payload, String name) throws TunnelProtocolException {
        int length = payload.remaining();
        return switch (type) {
            case TunnelFrame.OPEN -> open(streamId, payload);
            case TunnelFrame.ACCEPT -> {
                if (length < 4 || length > MAX_HEAD_BYTES) {
                    throw badLength(length, name, "a head of 4 to " + MAX_HEAD_BYTES + " bytes");
                }
                yield new TunnelFrame.Accept(streamId, payload);
            }
            case TunnelFrame.DATA -> {
                if (length < 1 || length > maxFrame) {
                    throw badLength(length, name, "1 to " + maxFrame);
                }
                yield new TunnelFrame.Data(streamId, payload);
            }
            case TunnelFrame.END -> new TunnelFrame.End(exactly(streamId, 0, length, name));
            case TunnelFrame.RESET -> {
                if (length < 2 || length > 2 + MAX_REASON_BYTES) {
                    throw badLength(length, name, "2 to " + (2 + MAX_REASON_BYTES));
                }
                int code = Short.toUnsignedInt(payload.getShort());
                yield new TunnelFrame.Reset(streamId, ResetCode.of(code), StandardCharsets.UTF_8.decode(payload).toString());
            }
            case TunnelFrame.WINDOW -> {
                exactly(streamId, 4, length, name);
                int increment = payload.getInt();
                if (increment < 1) {
                    throw new TunnelProtocolException("bad WINDOW increment " + Integer.toUnsignedString(increment)
                            + " on stream " + streamId);
                }
                yield new TunnelFrame.Window(streamId, increment);
            }
            case TunnelFrame.PING -> new TunnelFrame.Ping(payload.getLong(exactly(0, 8, length, name)));
            case TunnelFrame.PONG -> new TunnelFrame.Pong(payload.getLong(exactly(0, 8, length, name)));
            default -> throw new IllegalStateException("unreachable: " + name);
        };
    }

    private static TunnelFrame.Open open(int streamId, ByteBuffer payload) throws TunnelProtocolException {
        int length = payload.remaining();
        int serviceLength = length == 0 ? 0 : Byte.toUnsignedInt(payload.get());
        if (serviceLength == 0 || length < 1 + serviceLength + 4 || length > 1 + serviceLength + MAX_HEAD_BYTES) {
            throw badLength(length, "OPEN", "a service name of 1 to 255 bytes and a head of 4 to "
                    + MAX_HEAD_BYTES + " bytes");
        }
        String service = StandardCharsets.UTF_8.decode(payload.slice(payload.position(), serviceLength)).toString();
        payload.position(payload.position() + serviceLength);
        return new TunnelFrame.Open(streamId, service, payload.slice());
    }

    /** Checks an exact payload length; returns {@code value}. */
    private static int exactly(int value, int expected, int length, String name) throws TunnelProtocolException {
        if (length != expected) {
            throw badLength(length, name, expected == 0 ? "none" : expected + " bytes");
        }
        return value;
    }

    private static void checkStreamId(byte type, int streamId, String name) throws TunnelProtocolException {
        boolean tunnelFrame = type == TunnelFrame.PING || type == TunnelFrame.PONG;
        if (tunnelFrame ? streamId != 0 : streamId < 1) {
            throw new TunnelProtocolException("bad stream id " + Integer.toUnsignedString(streamId) + " for " + name);
        }
    }

    private static TunnelProtocolException badLength(int length, String name, String expected) {
        return new TunnelProtocolException("bad length " + length + " for " + name + ": expected " + expected);
    }

    private static String name(byte type) throws TunnelProtocolException {
        return switch (type) {
            case TunnelFrame.OPEN -> "OPEN";
            case TunnelFrame.ACCEPT -> "ACCEPT";
            case TunnelFrame.DATA -> "DATA";
            case TunnelFrame.END -> "END";
            case TunnelFrame.RESET -> "RESET";
            case TunnelFrame.WINDOW -> "WINDOW";
            case TunnelFrame.PING -> "PING";
            case TunnelFrame.PONG -> "PONG";
            default -> throw new TunnelProtocolException(String.format("unknown frame type 0x%02x", type));
        };
    }

    private static byte type(TunnelFrame frame) {
        if (frame instanceof TunnelFrame.Open) {
            return TunnelFrame.OPEN;
        } else if (frame instanceof TunnelFrame.Accept) {
            return TunnelFrame.ACCEPT;
        } else if (frame instanceof TunnelFrame.Data) {
            return TunnelFrame.DATA;
        } else if (frame instanceof TunnelFrame.End) {
            return TunnelFrame.END;
        } else if (frame instanceof TunnelFrame.Reset) {
            return TunnelFrame.RESET;
        } else if (frame instanceof TunnelFrame.Window) {
            return TunnelFrame.WINDOW;
        }
        return frame instanceof TunnelFrame.Ping ? TunnelFrame.PING : TunnelFrame.PONG;
    }

    private static int payloadSize(TunnelFrame frame) {
        if (frame instanceof TunnelFrame.Open open) {
            return 1 + open.service().getBytes(StandardCharsets.UTF_8).length + open.head().remaining();
        } else if (frame instanceof TunnelFrame.Accept accept) {
            return accept.head().remaining();
        } else if (frame instanceof TunnelFrame.Data data) {
            return data.bytes().remaining();
        } else if (frame instanceof TunnelFrame.Reset reset) {
            return 2 + reason(reset).length;
        } else if (frame instanceof TunnelFrame.Window) {
            return 4;
        } else if (frame instanceof TunnelFrame.Ping || frame instanceof TunnelFrame.Pong) {
            return 8;
        }
        return 0;
    }

    /** The reason's UTF-8, cut to {@value #MAX_REASON_BYTES} bytes at a character boundary. */
    private static byte[] reason(TunnelFrame.Reset reset) {
        String text = reset.reason();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        while (bytes.length > MAX_REASON_BYTES) {
            text = text.substring(0, text.length() - 1);
            bytes = text.getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    // --- HTTP heads in OPEN and ACCEPT ----------------------------------------------------------

    /** The request head an OPEN carries. @throws IllegalArgumentException when it is none */
    public static RequestHead requestHead(ByteBuffer bytes) {
        byte[] head = bytes(bytes);
        return RequestHead.parse(head, head.length);
    }

    /** The response head an ACCEPT carries. @throws IllegalArgumentException when it is none */
    public static ResponseHead responseHead(ByteBuffer bytes) {
        byte[] head = bytes(bytes);
        return ResponseHead.parse(head, head.length);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    // --- hello and welcome -------------------------------------------------------------------

    public static String hello(Hello hello) {
        ObjectNode node = JSON.createObjectNode().put("type", "hello").put("version", VERSION)
                .put("name", hello.name()).put("token", hello.token())
                .put("window", hello.window()).put("maxFrame", hello.maxFrame())
                .put("instance", hello.instance()).put("tunnel", hello.tunnel()).put("tunnels", hello.tunnels());
        return node.toString();
    }

    public static String welcome(Welcome welcome) {
        return JSON.createObjectNode().put("type", "welcome").put("version", VERSION)
                .put("window", welcome.window()).put("maxFrame", welcome.maxFrame())
                .put("pingSeconds", welcome.pingSeconds()).toString();
    }

    /** @throws TunnelProtocolException "bad hello: …" (never quoting the token) */
    public static Hello readHello(String text) throws TunnelProtocolException {
        JsonNode node = object(text, "hello");
        String name = node.path("name").asText("");
        if (name.isBlank() || !node.path("token").isTextual()) {
            throw new TunnelProtocolException("bad hello: name and token are required");
        }
        String instance = node.path("instance").asText("");
        int tunnels = node.path("tunnels").asInt(1);
        int tunnel = node.path("tunnel").asInt(0);
        if (instance.length() > MAX_INSTANCE_CHARS || tunnels < 1 || tunnels > MAX_TUNNELS || tunnel < 0
                || tunnel >= tunnels) {
            throw new TunnelProtocolException("bad hello: instance must have at most " + MAX_INSTANCE_CHARS
                    + " characters, tunnels be 1 to " + MAX_TUNNELS + " and tunnel 0 to tunnels-1");
        }
        int[] limits = limits(node, "hello");
        return new Hello(name, node.get("token").asText(), limits[0], limits[1], instance, tunnel, tunnels);
    }

    public static Welcome readWelcome(String text) throws TunnelProtocolException {
        JsonNode node = object(text, "welcome");
        int[] limits = limits(node, "welcome");
        return new Welcome(limits[0], limits[1], Math.max(1, node.path("pingSeconds").asInt(30)));
    }

    private static JsonNode object(String text, String type) throws TunnelProtocolException {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TunnelProtocolException("bad " + type + ": not JSON");
        }
        if (node == null || !type.equals(node.path("type").asText()) || node.path("version").asInt() != VERSION) {
            throw new TunnelProtocolException("bad " + type + ": expected {\"type\":\"" + type + "\",\"version\":"
                    + VERSION + ",…}");
        }
        return node;
    }

    private static int[] limits(JsonNode node, String type) throws TunnelProtocolException {
        int window = node.path("window").asInt(-1);
        int frame = node.path("maxFrame").asInt(-1);
        if (window < MIN_WINDOW || frame < MIN_MAX_FRAME || frame > MAX_MAX_FRAME) {
            throw new TunnelProtocolException("bad " + type + ": window must be at least " + MIN_WINDOW
                    + " and maxFrame between " + MIN_MAX_FRAME + " and " + MAX_MAX_FRAME);
        }
        return new int[] {window, frame};
    }
}
