package dev.switchboard.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Text frames ⇄ JSON, the one way every adapter reads and writes JSON. Decoding turns every
 * failure into a {@link JsonResult.Error}; nothing escapes as an exception. Thread-safe.
 */
public final class JsonFraming {

    private static final TypeReference<Object> PLAIN = new TypeReference<>() {
    };

    private final ObjectMapper mapper;
    private final int maxChars;

    /** Framing that accepts frames up to {@code maxChars} characters. */
    public JsonFraming(int maxChars) {
        this.mapper = new ObjectMapper()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.maxChars = maxChars;
    }

    public JsonFraming() {
        this(ClientSpec.DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** The shared mapper, for protocols that build trees themselves. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** Parses a frame into a tree. */
    public JsonResult<JsonNode> parse(String frame) {
        if (frame == null) {
            return JsonResult.error(JsonResult.ErrorKind.MALFORMED, "empty frame");
        }
        if (frame.length() > maxChars) {
            return JsonResult.error(JsonResult.ErrorKind.TOO_LARGE,
                    "frame of " + frame.length() + " characters exceeds " + maxChars);
        }
        try {
            JsonNode node = mapper.readTree(frame);
            return node == null || node.isMissingNode()
                    ? JsonResult.error(JsonResult.ErrorKind.MALFORMED, "empty frame")
                    : JsonResult.ok(node);
        } catch (JsonProcessingException e) {
            return JsonResult.error(JsonResult.ErrorKind.MALFORMED, describe(e));
        }
    }

    /** Parses a frame and binds it to {@code type}; a mismatch is {@link JsonResult.ErrorKind#WRONG_SHAPE}. */
    public <T> JsonResult<T> read(String frame, Class<T> type) {
        return parse(frame).then(node -> bind(node, type));
    }

    /** Binds a tree to {@code type}; a mismatch is {@link JsonResult.ErrorKind#WRONG_SHAPE}. */
    public <T> JsonResult<T> bind(JsonNode node, Class<T> type) {
        try {
            return JsonResult.ok(mapper.treeToValue(node, type));
        } catch (MismatchedInputException e) {
            return JsonResult.error(JsonResult.ErrorKind.WRONG_SHAPE, describe(e));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return JsonResult.error(JsonResult.ErrorKind.WRONG_SHAPE, e.getMessage());
        }
    }

    /**
     * A tree as plain Java values (Map, List, String, Number, Boolean, null), the form
     * {@code Message.data} takes.
     */
    public Object toPlain(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : mapper.convertValue(node, PLAIN);
    }

    /** Plain values or any Jackson-serialisable object as a tree. */
    public JsonNode toTree(Object value) {
        return mapper.valueToTree(value);
    }

    /** Writes a value as a JSON text frame. Only fails for objects Jackson cannot serialise at all. */
    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** Writes a value as UTF-8 JSON bytes. */
    public byte[] writeBytes(Object value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    /** A short object for error payloads: {@code {"code":…, "message":…}}. */
    public static Map<String, Object> errorPayload(String code, String message) {
        return Map.of("code", code, "message", message);
    }

    /** The parser's message with where it went wrong: line and column, or the field path when bound from a tree. */
    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            return message + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return message + " at " + mapping.getPath().stream()
                    .map(field -> field.getFieldName() != null ? field.getFieldName() : "[" + field.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        return message;
    }
}
