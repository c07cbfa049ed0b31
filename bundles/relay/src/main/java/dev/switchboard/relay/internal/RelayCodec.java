package dev.switchboard.relay.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay's control channel. Text frames are JSON control messages with a {@code type}:
 * {@code hello} (client: token, tunnel), {@code registered}, {@code request} and {@code upgrade}
 * (server: a request id and head; an upgrade also its single-use connection id),
 * {@code response} (client: status and headers), {@code ack} (bytes of a body the other side may
 * send again) and {@code abort}. Bodies travel in binary frames: one type byte ({@link #DATA},
 * {@link #END}, {@link #RESPONSE}), the request id (8 bytes), then the payload as it is.
 *
 * <p>Few messages per request, as each costs both sides a WebSocket frame: a request without a
 * body ({@code "body":"NONE"}) is its {@code request} message alone, no END follows; a response
 * whose body came whole with its head is one {@link #RESPONSE} frame (its head as the
 * {@code response} message's JSON, length first, then the body: head, body and end in one).
 */
final class RelayCodec {

    static final byte DATA = 1;
    static final byte END = 2;
    /** A whole response: the head's JSON length (4 bytes), its JSON, then the complete body. */
    static final byte RESPONSE = 3;
    private static final int FRAME_HEADER = 9;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A decoded binary frame. */
    record Frame(byte type, long id, ByteBuffer payload) {
    }

    /** How a forwarded request's body is framed towards the local service. */
    enum BodyFraming { NONE, LENGTH, CHUNKED }

    private RelayCodec() {
    }

    static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject() || !node.path("type").isTextual()) {
                throw new IllegalArgumentException("control message without a type");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("control message is no JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String hello(String token, String tunnel) {
        return write(message("hello").put("token", token).put("tunnel", tunnel));
    }

    static String registered(String tunnel) {
        return write(message("registered").put("tunnel", tunnel));
    }

    static String request(long id, RequestHead head, BodyFraming body) {
        return write(requestFields(message("request").put("id", id), head).put("body", body.name()));
    }

    static String upgrade(long id, String connectionId, RequestHead head) {
        return write(requestFields(message("upgrade").put("id", id).put("connection", connectionId), head));
    }

    static String response(long id, ResponseHead head) {
        ObjectNode node = message("response").put("id", id).put("status", head.status()).put("reason", head.reason());
        node.set("headers", headers(head.headers()));
        return write(node);
    }

    static String ack(long id, long bytes) {
        return write(message("ack").put("id", id).put("bytes", bytes));
    }

    static String abort(long id, String reason) {
        return write(message("abort").put("id", id).put("reason", reason));
    }

    static RequestHead requestHead(JsonNode node) {
        return new RequestHead(node.path("method").asText("GET"), node.path("target").asText("/"),
                node.path("version").asText("HTTP/1.1"), headers(node.path("headers")));
    }

    static ResponseHead responseHead(JsonNode node) {
        return ResponseHead.of(node.path("status").asInt(502), node.path("reason").asText(""),
                headers(node.path("headers")));
    }

    /** A DATA frame carrying {@code payload} (copied once, behind the frame header). */
    static ByteBuffer data(long id, ByteBuffer payload) {
        ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER + payload.remaining());
        frame.put(DATA).putLong(id).put(payload);
        return frame.flip();
    }

    static ByteBuffer end(long id) {
        return ByteBuffer.allocate(FRAME_HEADER).put(END).putLong(id).flip();
    }

    /** A {@link #RESPONSE} frame: {@code head} and the whole of {@code body}. */
    static ByteBuffer response(long id, ResponseHead head, ByteBuffer body) {
        byte[] json = response(id, head).getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER + 4 + json.length + body.remaining());
        frame.put(RESPONSE).putLong(id).putInt(json.length).put(json).put(body);
        return frame.flip();
    }

    static Frame frame(ByteBuffer bytes) {
        if (bytes.remaining() < FRAME_HEADER) {
            throw new IllegalArgumentException("binary frame of " + bytes.remaining() + " bytes has no header");
        }
        byte type = bytes.get();
        long id = bytes.getLong();
        if (type != DATA && type != END && type != RESPONSE) {
            throw new IllegalArgumentException("binary frame of unknown type " + type);
        }
        return new Frame(type, id, bytes.slice());
    }

    /** The head of a {@link #RESPONSE} frame's payload; the payload is left at the body. */
    static ResponseHead responseHead(ByteBuffer payload) {
        if (payload.remaining() < 4) {
            throw new IllegalArgumentException("response frame without its head");
        }
        int length = payload.getInt();
        if (length < 0 || length > payload.remaining()) {
            throw new IllegalArgumentException("response frame with a head of " + length + " bytes in "
                    + payload.remaining());
        }
        String json = StandardCharsets.UTF_8.decode(payload.slice(payload.position(), length)).toString();
        payload.position(payload.position() + length);
        return responseHead(parse(json));
    }

    private static ObjectNode message(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    private static ObjectNode requestFields(ObjectNode node, RequestHead head) {
        node.put("method", head.method()).put("target", head.target()).put("version", head.version());
        node.set("headers", headers(head.headers()));
        return node;
    }

    private static ArrayNode headers(List<HttpHeader> headers) {
        ArrayNode array = JSON.createArrayNode();
        headers.forEach(h -> array.addArray().add(h.name()).add(h.value()));
        return array;
    }

    private static List<HttpHeader> headers(JsonNode array) {
        List<HttpHeader> headers = new ArrayList<>();
        for (JsonNode pair : array) {
            headers.add(new HttpHeader(pair.path(0).asText(), pair.path(1).asText()));
        }
        return headers;
    }

    private static String write(ObjectNode node) {
        return node.toString();
    }
}
