package dev.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void builderFillsIdTimeEventAndOriginHop() {
        Message message = Message.builder("kosmi-main", "@room").text("hi").build();
        assertFalse(message.id().isBlank());
        assertEquals(Message.CHAT, message.event());
        assertTrue(message.isChat());
        assertEquals(List.of("kosmi-main"), message.hops());
        assertEquals(Author.UNKNOWN, message.author());
        assertNotEquals(Message.builder("kosmi-main", "@room").build().id(), message.id());
    }

    @Test
    void dataIsDeepCopiedAndUnmodifiable() {
        Map<String, Object> inner = new HashMap<>();
        inner.put("n", 1);
        List<Object> list = new ArrayList<>(List.of("a", inner));
        Map<String, Object> data = new HashMap<>(Map.of("list", list));
        Message message = Message.builder("e", "c").event("custom").data(data).build();

        list.add("changed later");
        inner.put("n", 2);
        @SuppressWarnings("unchecked")
        List<Object> copied = (List<Object>) ((Map<String, Object>) message.data()).get("list");
        assertEquals(2, copied.size());
        assertEquals(Map.of("n", 1), copied.get(1));
        assertThrows(UnsupportedOperationException.class, () -> copied.add("x"));
    }

    @Test
    void dataThatIsNotJsonCompatibleIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Message.builder("e", "c").data(new Object()).build());
        assertTrue(e.getMessage().contains("JSON-compatible"));
    }

    @Test
    void hopsGrowOnceAndKeepTheId() {
        Message origin = Message.builder("a", "c").text("x").time(Instant.EPOCH).build();
        Message forwarded = origin.withHop("b");
        assertEquals(origin.id(), forwarded.id());
        assertEquals(List.of("a", "b"), forwarded.hops());
        assertTrue(forwarded.hasVisited("a"));
        assertSame(forwarded, forwarded.withHop("b"));
        assertEquals(Instant.EPOCH, forwarded.time());
    }

    @Test
    void toBuilderDerivesAChangedCopy() {
        Message origin = Message.builder("a", "room").author("u1", "Ada").text("x").build();
        Message copy = origin.toBuilder().channel("other").text("[a] x").build();
        assertEquals(origin.id(), copy.id());
        assertEquals("other", copy.channel());
        assertEquals(new Author("u1", "Ada"), copy.author());
        assertEquals("x", origin.text());
    }

    @Test
    void requiredFieldsAreChecked() {
        assertThrows(NullPointerException.class, () -> Message.builder(null, "c").build());
        assertThrows(NullPointerException.class, () -> Message.builder("e", null).build());
    }

    @Test
    void authorNameDefaultsToId() {
        assertEquals("bot", new Author("bot", " ").name());
        assertEquals("bot", Author.of("bot").name());
    }

    @Test
    void statusReadsWell() {
        assertEquals("OFFLINE (login failed)", EndpointStatus.offline("login failed").toString());
        assertEquals("ONLINE", new EndpointStatus(EndpointStatus.State.ONLINE, null, null).toString());
    }
}
