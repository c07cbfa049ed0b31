package dev.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonFramingTest {

    record Hello(String type, int version) {
    }

    private final JsonFraming framing = new JsonFraming(64);

    private static JsonResult.ErrorKind kind(JsonResult<?> result) {
        return assertInstanceOf(JsonResult.Error.class, result).kind();
    }

    @Test
    void readsAndWritesObjects() {
        JsonResult<Hello> hello = framing.read("{\"type\":\"hello\",\"version\":2,\"extra\":true}", Hello.class);
        assertEquals(new Hello("hello", 2), assertInstanceOf(JsonResult.Ok.class, hello).value());
        assertEquals("{\"type\":\"hi\",\"version\":1}", framing.write(new Hello("hi", 1)));
        JsonNode tree = ((JsonResult.Ok<JsonNode>) framing.parse("{\"a\":[1,\"b\"]}")).value();
        assertEquals(Map.of("a", List.of(1, "b")), framing.toPlain(tree));
    }

    /** Bad input: text that is not JSON, truncated JSON, trailing garbage, empty and null frames. */
    @Test
    void malformedFramesAreTypedErrors() {
        for (String frame : new String[] {"not json", "{\"a\":", "{} trailing", "", "   ", null}) {
            assertEquals(JsonResult.ErrorKind.MALFORMED, kind(framing.parse(frame)), String.valueOf(frame));
            assertEquals(JsonResult.ErrorKind.MALFORMED, kind(framing.read(frame, Hello.class)), String.valueOf(frame));
        }
    }

    /** Bad input: valid JSON of the wrong shape (array for object, string for number). */
    @Test
    void wrongShapeIsATypedError() {
        assertEquals(JsonResult.ErrorKind.WRONG_SHAPE, kind(framing.read("[1,2]", Hello.class)));
        assertEquals(JsonResult.ErrorKind.WRONG_SHAPE, kind(framing.read("{\"version\":\"two\"}", Hello.class)));
        JsonResult.Error<?> error = (JsonResult.Error<?>) framing.read("{\"version\":\"two\"}", Hello.class);
        assertTrue(error.message().endsWith(" at version"), error.message());
        JsonResult.Error<?> parseError = (JsonResult.Error<?>) framing.parse("{\"a\":}");
        assertTrue(parseError.message().contains("line 1, column 6"), parseError.message());
    }

    /** Bad input: a frame over the size the framing accepts. */
    @Test
    void oversizeFrameIsTooLarge() {
        assertEquals(JsonResult.ErrorKind.TOO_LARGE, kind(framing.parse("[" + "1,".repeat(40) + "1]")));
    }
}
