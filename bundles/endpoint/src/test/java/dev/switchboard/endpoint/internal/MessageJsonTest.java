package dev.switchboard.endpoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.api.Message;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A forwarded message comes out as it went in. Bad inputs tried: text that is no JSON, cut short,
 * with text after the value, an array instead of an object, an object without the message's fields,
 * a time that is no time.
 */
class MessageJsonTest {

    @Test
    void everyFieldAndAnyJsonDataSurviveTheTrip() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("nested", Map.of("list", List.of(1, -2.5, true, "x")));
        data.put("none", null);
        data.put("big", 12345678901234567890.0);
        data.put("quote\"key", "line\nbreak\ttab \\ \u0001 é 😀");
        Message message = Message.builder("web", "chat:lobby").id("m-1").author("ada", "Ada \"L\"")
                .event("message").text("hi \"there\"\n").data(data).time(Instant.parse("2026-12-01T10:00:00.123Z"))
                .hops(List.of("web", "kosmi-main")).build();

        Message back = MessageJson.read(MessageJson.write(message));

        assertEquals(message.id(), back.id());
        assertEquals(message.endpoint(), back.endpoint());
        assertEquals(message.channel(), back.channel());
        assertEquals(message.author(), back.author());
        assertEquals(message.event(), back.event());
        assertEquals(message.text(), back.text());
        assertEquals(message.time(), back.time());
        assertEquals(message.hops(), back.hops());
        // numbers come back as Long or Double: compare as the JSON they make
        assertEquals(MessageJson.write(message), MessageJson.write(back));
    }

    @Test
    void aMessageWithoutTextOrDataToo() {
        Message event = Message.builder("tracker", "task-1").event("task.done").build();
        Message back = MessageJson.read(MessageJson.write(event));
        assertEquals(null, back.text());
        assertEquals(null, back.data());
        assertEquals(event.id(), back.id());
    }

    @Test
    void anythingElseIsRefusedWithAReason() {
        String good = MessageJson.write(Message.builder("web", "room").text("x").build());
        for (String bad : Arrays.asList(null, "", "nonsense", good.substring(0, good.length() - 3), good + " {}", "[1,2]",
                "{\"id\":\"x\"}", good.replaceFirst("\"time\":\"[^\"]+\"", "\"time\":\"yesterday\""))) {
            assertThrows(IllegalArgumentException.class, () -> MessageJson.read(bad), String.valueOf(bad));
        }
    }
}
