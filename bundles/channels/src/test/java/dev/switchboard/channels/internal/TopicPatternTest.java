package dev.switchboard.channels.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicPatternTest {

    @Test
    void parametersAreCapturedByName() {
        assertEquals(Map.of("sessionId", "s1", "cellId", "c2"),
                new TopicPattern("session:<sessionId>:cell:<cellId>").match("session:s1:cell:c2"));
        assertEquals(Map.of(), new TopicPattern("lobby").match("lobby"));
        assertEquals(Map.of("room", ""), new TopicPattern("chat:<room>").match("chat:"));
    }

    @Test
    void literalsAndSegmentCountsMustAgree() {
        TopicPattern pattern = new TopicPattern("session:<sessionId>:cell:<cellId>");
        assertNull(pattern.match("session:s1:row:c2"));
        assertNull(pattern.match("session:s1:cell"));
        assertNull(pattern.match("session:s1:cell:c2:x"));
        assertNull(new TopicPattern("chat:<room>").match("chat"));
    }

    @Test
    void aBlankPatternIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TopicPattern(" "));
    }
}
