package dev.switchboard.channels.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.api.Author;
import dev.switchboard.api.Message;
import dev.switchboard.transport.JsonFraming;
import dev.switchboard.transport.JsonResult;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The channels protocol's frames {@code [topic, event, payload]} ⇄ objects, on transport's {@link JsonFraming}. Thread-safe. */
final class ChannelsCodec {

    static final String SUBSCRIBE = "subscribe";
    static final String UNSUBSCRIBE = "unsubscribe";
    static final String HISTORY = "history";
    /** A chat message, the event a chat channel broadcasts and remembers. */
    static final String MESSAGE = Message.CHAT;

    /** What a text frame from a client is. */
    sealed interface Inbound permits Frame, Invalid {
    }

    /** A well-formed {@code [topic, event, payload]}; {@code payload} is never null (JSON null is a NullNode). */
    record Frame(String topic, String event, JsonNode payload) implements Inbound {
    }

    /** A frame the protocol refuses, with the reply it sends. */
    record Invalid(String reply, String why) implements Inbound {
    }

    private final JsonFraming json;
    private final ObjectMapper mapper;
    private final Invalid invalidJson;
    private final Invalid invalidShape;

    ChannelsCodec(int maxFrameChars) {
        this.json = new JsonFraming(maxFrameChars);
        this.mapper = json.mapper();
        this.invalidJson = new Invalid(encode("error", "error", error("INVALID_PAYLOAD", "Invalid JSON")),
                "Invalid JSON");
        this.invalidShape = new Invalid(encode("error", "error",
                error("INVALID_PAYLOAD", "Message must be [topic, event, payload]")), "not [topic, event, payload]");
    }

    Inbound decode(String text) {
        JsonResult<JsonNode> parsed = json.parse(text);
        if (!(parsed instanceof JsonResult.Ok<JsonNode> ok)) {
            return invalidJson;
        }
        JsonNode node = ok.value();
        if (!node.isArray() || node.size() != 3 || !node.get(0).isTextual() || !node.get(1).isTextual()) {
            return invalidShape;
        }
        return new Frame(node.get(0).textValue(), node.get(1).textValue(), node.get(2));
    }

    /** {@code [topic, event, payload]} as a text frame; {@code payload} is a tree or plain values. */
    String encode(String topic, String event, Object payload) {
        return frame(topic, event, generator -> {
            if (payload instanceof JsonNode tree) {
                mapper.writeTree(generator, tree);
            } else {
                mapper.writeValue(generator, payload);
            }
        });
    }

    /** {@code [topic, event, payload]} with the payload already written as JSON text by {@link #json}. */
    String encodeJson(String topic, String event, String payloadJson) {
        return frame(topic, event, generator -> generator.writeRawValue(payloadJson));
    }

    /** A payload as JSON text, as {@link #encode} would write it. */
    String json(JsonNode payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a payload", e);
        }
    }

    private interface PayloadWriter {
        void write(JsonGenerator generator) throws IOException;
    }

    private String frame(String topic, String event, PayloadWriter payload) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator generator = mapper.getFactory().createGenerator(out)) {
            generator.writeStartArray();
            generator.writeString(topic);
            generator.writeString(event);
            payload.write(generator);
            generator.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a frame on " + topic, e);
        }
        return out.toString();
    }

    /** The subscribe payload {@code {id?: string}}: any other payload subscribes without an id. */
    static String subscribeId(JsonNode payload) {
        JsonNode id = payload.isObject() ? payload.get("id") : null;
        return id != null && id.isTextual() ? id.textValue() : null;
    }

    /** {@code [topic, "subscribed", {id}]}; an absent id is left out, as JSON.stringify leaves undefined out. */
    String subscribed(String topic, String id) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        if (id != null) {
            payload.put("id", id);
        }
        return encode(topic, "subscribed", payload);
    }

    String unsubscribed(String topic) {
        return encode(topic, "unsubscribed", Map.of());
    }

    String noChannel(String topic) {
        return encode(topic, "error", error("INTERNAL_ERROR", "No channel matches topic: " + topic));
    }

    String handlerFailed(String topic, String event) {
        return encode(topic, "error", error("INTERNAL_ERROR", "Channel handler failed on " + event));
    }

    /** {@code {code, message}}, in this key order, as clients of the protocol expect. */
    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("code", code);
        payload.put("message", message);
        return payload;
    }

    /** {@code [topic, "history", {messages: [...]}]}, the messages given as JSON text by {@link #json}, oldest first. */
    String history(String topic, List<String> messagesJson) {
        return frame(topic, HISTORY, generator -> {
            generator.writeStartObject();
            generator.writeArrayFieldStart("messages");
            for (String message : messagesJson) {
                generator.writeRawValue(message);
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    Object toPlain(JsonNode node) {
        return json.toPlain(node);
    }

    JsonNode toTree(Object value) {
        return value instanceof JsonNode tree ? tree : json.toTree(value);
    }

    /** Chat text a payload carries: the payload itself when a string, else its {@code text} field. */
    static String chatText(JsonNode payload) {
        if (payload.isTextual()) {
            return payload.textValue();
        }
        JsonNode text = payload.isObject() ? payload.get("text") : null;
        return text != null && text.isTextual() ? text.textValue() : null;
    }

    /** The payload's {@code author} (a name, or {@code {id, name}}), else the connection. */
    static Author author(JsonNode payload, String connectionId) {
        JsonNode author = payload.isObject() ? payload.get("author") : null;
        if (author != null && author.isTextual() && !author.textValue().isBlank()) {
            return Author.of(author.textValue());
        }
        if (author != null && author.isObject() && author.path("id").isTextual()) {
            return new Author(author.get("id").textValue(), author.path("name").asText(null));
        }
        return Author.of(connectionId);
    }

    /** A routed chat message as browsers of this protocol send it. */
    static Map<String, Object> chatPayload(Message message) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", message.id());
        payload.put("text", message.text() == null ? "" : message.text());
        payload.put("author", message.author().name());
        payload.put("authorId", message.author().id());
        payload.put("endpoint", message.endpoint());
        payload.put("time", message.time().toString());
        return payload;
    }
}
