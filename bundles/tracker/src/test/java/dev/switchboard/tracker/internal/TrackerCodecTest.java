package dev.switchboard.tracker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.api.Author;
import dev.switchboard.api.Message;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frames both ways and how tracker events read as Switchboard messages. */
class TrackerCodecTest {

    private final TrackerCodec codec = new TrackerCodec(1 << 20);
    private final ObjectMapper mapper = new ObjectMapper();

    private Map<?, ?> parsed(String frame) throws Exception {
        return mapper.readValue(frame, Map.class);
    }

    @Test
    void everyOutgoingFrameCarriesTypeAndEventAlike() throws Exception {
        for (String frame : List.of(codec.auth("t0k3n"), codec.heartbeat(true), codec.ack("e1"),
                codec.chatSend("c1", null, "hi", List.of("ada"), null), codec.stream("agent.stream.delta", Map.of("delta", "x")))) {
            Map<?, ?> message = parsed(frame);
            assertEquals(message.get("type"), message.get("event"), frame);
        }
        assertEquals(Map.of("type", "auth", "event", "auth", "token", "t0k3n"), parsed(codec.auth("t0k3n")));
        assertEquals("busy", parsed(codec.heartbeat(true)).get("status"));
        assertEquals("online", parsed(codec.heartbeat(false)).get("status"));
        assertEquals(Map.of("type", "ack", "event", "ack", "event_id", "e1"), parsed(codec.ack("e1")));
        // a payload's own type never overrides the frame's
        assertEquals("agent.stream.tool",
                parsed(codec.stream("agent.stream.tool", Map.of("type", "tool_use", "name", "grep"))).get("type"));
    }

    @Test
    void chatSendGoesToAChatOrATaskWithOptionalThinking() throws Exception {
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "hello", "mentions", List.of("ada"),
                "chat_id", "c1"), parsed(codec.chatSend("c1", null, "hello", List.of("ada"), null)));
        assertEquals(Map.of("type", "chat.send", "event", "chat.send", "content", "done", "mentions", List.of(),
                "task_id", "t9", "thinking", "because"), parsed(codec.chatSend(null, "t9", "done", List.of(), "because")));
    }

    @Test
    void incomingMessagesAreReadFromEitherField() {
        assertInstanceOf(TrackerCodec.AuthOk.class, codec.decode("{\"type\":\"auth.ok\",\"data\":{}}"));
        assertInstanceOf(TrackerCodec.AuthOk.class, codec.decode("{\"event\":\"auth_ok\",\"data\":{}}"));
        for (String ack : List.of("agent.heartbeat.ack", "heartbeat.ack", "heartbeat_ack")) {
            assertInstanceOf(TrackerCodec.HeartbeatAck.class, codec.decode("{\"event\":\"" + ack + "\"}"));
        }
        for (String ok : List.of("subscribe.ok", "chat.subscribe.ok", "project.subscribe.ok")) {
            assertInstanceOf(TrackerCodec.SubscribeOk.class, codec.decode("{\"type\":\"" + ok + "\"}"));
        }
        TrackerCodec.Event event = (TrackerCodec.Event) codec.decode("{\"event\":\"task.assigned\",\"type\":\"x\",\"id\":\"e1\"}");
        assertEquals("task.assigned", event.type(), "event wins over type, as the tracker's agents read it");
    }

    @Test
    void badInputsAreInvalidWithAnExcerptCutTo200Characters() {
        String longText = "{\"id\":\"e1\",\"data\":\"" + "x".repeat(500) + "\"}";
        TrackerCodec.Invalid noType = assertInstanceOf(TrackerCodec.Invalid.class, codec.decode(longText));
        assertEquals("message without event/type field", noType.why());
        assertEquals(200, noType.excerpt().length());
        assertEquals("not JSON", ((TrackerCodec.Invalid) codec.decode("hello tracker")).why());
        assertInstanceOf(TrackerCodec.Invalid.class, codec.decode("[\"auth.ok\"]"), "JSON that is not an object");
        assertInstanceOf(TrackerCodec.Invalid.class, codec.decode("{\"type\":\"\"}"), "an empty type");
        TrackerCodec.Invalid tooLarge = (TrackerCodec.Invalid) new TrackerCodec(100).decode(longText);
        assertTrue(tooLarge.why().contains("exceeds 100"), tooLarge.why());
    }

    @Test
    void authOkReadsDataOrInitAndOnlineOrAgentsOnline() {
        TrackerCodec.AuthOk data = (TrackerCodec.AuthOk) codec.decode("{\"type\":\"auth.ok\",\"data\":{\"lobby_chat_id\":\"L\","
                + "\"projects\":[{\"id\":\"p1\",\"slug\":\"alpha\",\"name\":\"Alpha\",\"chat_id\":\"c1\"}],\"online\":[\"ada\"]}}");
        assertEquals("L", data.lobbyChatId());
        assertEquals(List.of(new TrackerCodec.Project("p1", "alpha", "Alpha", "c1")), data.projects());
        assertEquals(List.of("ada"), data.online());
        TrackerCodec.AuthOk init = (TrackerCodec.AuthOk) codec.decode(
                "{\"event\":\"auth_ok\",\"init\":{\"lobby_chat_id\":\"M\",\"agents_online\":[\"bob\",{\"name\":\"cy\"}]}}");
        assertEquals("M", init.lobbyChatId());
        assertEquals(List.of("bob", "cy"), init.online());
        // bad input: auth.ok without data
        TrackerCodec.AuthOk empty = (TrackerCodec.AuthOk) codec.decode("{\"type\":\"auth.ok\"}");
        assertNull(empty.lobbyChatId());
        assertEquals(List.of(), empty.projects());
        assertEquals(List.of(), empty.online());
    }

    @Test
    void authErrorCarriesTheServersReason() {
        assertEquals("Invalid token", ((TrackerCodec.AuthError) codec.decode("{\"type\":\"auth.error\",\"message\":\"Invalid token\"}")).reason());
        assertEquals("expired", ((TrackerCodec.AuthError) codec.decode("{\"event\":\"auth_error\",\"data\":\"expired\"}")).reason());
        assertEquals("revoked", ((TrackerCodec.AuthError) codec.decode("{\"type\":\"auth.error\",\"data\":{\"message\":\"revoked\"}}")).reason());
        assertEquals("rejected by the tracker", ((TrackerCodec.AuthError) codec.decode("{\"type\":\"auth.error\"}")).reason());
    }

    @Test
    void anEventHasItsIdOrAGeneratedOneItsDataOrItselfAndItsTime() {
        TrackerCodec.Event withId = (TrackerCodec.Event) codec.decode(
                "{\"type\":\"task.assigned\",\"id\":42,\"data\":{\"task_id\":\"t1\"},\"ts\":1700000000000}");
        assertEquals("42", withId.id());
        assertTrue(withId.fromTracker());
        assertEquals("t1", withId.data().get("task_id").asText());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), withId.time());

        TrackerCodec.Event withoutId = (TrackerCodec.Event) codec.decode(
                "{\"event\":\"presence\",\"agent\":\"ada\",\"ts\":\"2026-01-02T03:04:05Z\"}");
        assertFalse(withoutId.fromTracker());
        assertTrue(withoutId.id().startsWith("presence-"), withoutId.id());
        assertEquals("ada", withoutId.data().get("agent").asText(), "no data: the whole message is the data");
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), withoutId.time());
        TrackerCodec.Event another = (TrackerCodec.Event) codec.decode("{\"event\":\"presence\"}");
        assertFalse(another.id().equals(withoutId.id()), "generated ids are unique");
    }

    @Test
    void aChatMessageBelongsToItsChatOrTaskAndAnEventNamesItsTask() {
        assertEquals("c1", TrackerCodec.chatChannel(event("{\"chat_id\":\"c1\",\"task_id\":\"t1\"}").data()));
        assertEquals("task:t1", TrackerCodec.chatChannel(event("{\"task_id\":\"t1\"}").data()));
        assertNull(TrackerCodec.chatChannel(event("{\"project_id\":\"p1\"}").data()));
        assertEquals("task:t1", TrackerCodec.taskChannel(event("{\"chat_id\":\"c1\",\"task_id\":\"t1\"}").data()));
        assertEquals("task:t2", TrackerCodec.taskChannel(event("{\"task\":{\"id\":\"t2\"}}").data()));
        assertNull(TrackerCodec.taskChannel(event("{\"chat_id\":\"c1\"}").data()));
    }

    @Test
    void chatMessagesHaveTextAndAnAuthor() {
        TrackerCodec.Event chat = (TrackerCodec.Event) codec.decode("{\"type\":\"chat.message\",\"id\":\"m1\",\"data\":"
                + "{\"chat_id\":\"c1\",\"content\":\"hi\",\"author\":{\"id\":\"u1\",\"name\":\"Ada\"}}}");
        assertTrue(TrackerCodec.isChat(chat));
        assertEquals("hi", TrackerCodec.chatText(chat));
        assertEquals(new Author("u1", "Ada"), TrackerCodec.author(chat.data()));
        assertEquals(Author.of("bob"), TrackerCodec.author(event("{\"author\":\"bob\"}").data()));
        assertEquals(new Author("u2", "Cy"), TrackerCodec.author(event("{\"author_id\":\"u2\",\"author_name\":\"Cy\"}").data()));
        assertEquals(Author.UNKNOWN, TrackerCodec.author(event("{}").data()));
        assertEquals("", TrackerCodec.chatText(chatEvent("task.comment", "{\"task_id\":\"t1\",\"content\":\"\"}")));
        assertEquals("old", TrackerCodec.chatText(chatEvent("chat_message", "{\"text\":\"old\"}")));
        assertNull(TrackerCodec.chatText(event("{\"content\":\"not chat\"}")), "only chat events carry chat text");
    }

    /** Bad inputs: chat events whose content is not a string. */
    @Test
    void aChatEventWhoseContentIsNotAStringHasNoText() {
        for (String content : List.of("42", "true", "null", "{\"text\":\"hi\"}", "[\"hi\"]")) {
            TrackerCodec.Event chat = chatEvent("chat.message", "{\"chat_id\":\"c1\",\"content\":" + content + "}");
            assertTrue(TrackerCodec.isChat(chat));
            assertNull(TrackerCodec.chatText(chat), content);
        }
        assertNull(TrackerCodec.chatText(chatEvent("chat.message", "{\"chat_id\":\"c1\"}")), "no content at all");
        assertNull(TrackerCodec.chatText(chatEvent("chat.message", "{\"chat_id\":\"c1\",\"content\":1,\"text\":\"x\"}")),
                "a content that is there but no string is not replaced by text");
    }

    @Test
    void aRoutedMessageGivesContentMentionsAndThinking() {
        Message message = Message.builder("web", "c1").text("[web] ada: hi")
                .data(Map.of("mentions", List.of("bob"), "thinking", "short")).build();
        assertEquals("[web] ada: hi", TrackerCodec.content(message));
        assertEquals(List.of("bob"), TrackerCodec.mentions(message));
        assertEquals("short", TrackerCodec.thinking(message));
        Message dataOnly = Message.builder("web", "c1").data(Map.of("content", "from data")).build();
        assertEquals("from data", TrackerCodec.content(dataOnly));
        assertEquals(List.of(), TrackerCodec.mentions(dataOnly));
        assertNull(TrackerCodec.thinking(dataOnly));
        assertEquals(new TrackerCodec.Target(null, "t7"), TrackerCodec.Target.of("task:t7"));
        assertEquals(new TrackerCodec.Target("c1", null), TrackerCodec.Target.of("c1"));
    }

    private TrackerCodec.Event event(String data) {
        return chatEvent("x", data);
    }

    private TrackerCodec.Event chatEvent(String type, String data) {
        return (TrackerCodec.Event) codec.decode("{\"type\":\"" + type + "\",\"data\":" + data + "}");
    }
}
