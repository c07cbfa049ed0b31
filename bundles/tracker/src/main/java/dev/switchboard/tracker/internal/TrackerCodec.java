package dev.switchboard.tracker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.api.Author;
import dev.switchboard.api.Message;
import dev.switchboard.transport.JsonFraming;
import dev.switchboard.transport.JsonResult;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The tracker's agent frames ⇄ objects, on transport's {@link JsonFraming}. The tracker speaks two field
 * conventions ({@code type} and {@code event}): every outgoing frame carries both with the same
 * value, every incoming frame is read from whichever is present. Thread-safe.
 */
final class TrackerCodec {

    static final String AUTH = "auth";
    static final String HEARTBEAT = "heartbeat";
    static final String ACK = "ack";
    static final String CHAT_SEND = "chat.send";
    static final Set<String> AUTH_OK = Set.of("auth.ok", "auth_ok");
    static final Set<String> AUTH_ERROR = Set.of("auth.error", "auth_error");
    static final Set<String> HEARTBEAT_ACK = Set.of("agent.heartbeat.ack", "heartbeat.ack", "heartbeat_ack");
    static final Set<String> SUBSCRIBE_OK = Set.of("subscribe.ok", "chat.subscribe.ok", "project.subscribe.ok");
    static final Set<String> STREAM_EVENTS = Set.of("agent.stream.delta", "agent.stream.tool");
    /** Tracker events that are chat text (a chat message, a task comment). */
    static final Set<String> CHAT_EVENTS = Set.of("chat.message", "chat_message", "task.comment", "task_comment");
    /**
     * Switchboard-side events, never sent to the tracker: a task (channel {@code task:<id>}) starts or
     * ends being worked on, which turns the heartbeat status to {@code busy} and back to {@code online}.
     */
    static final String TASK_START = "agent.task.start";
    static final String TASK_END = "agent.task.end";

    static final String TASK_CHANNEL = "task:";
    static final String PROJECT_CHANNEL = "project:";
    /** The channel of every tracker event that is not a chat message. */
    static final String EVENTS_CHANNEL = "events";
    /** How much of an unreadable frame a log line shows. */
    static final int EXCERPT = 200;

    /** What a text frame from the tracker is. */
    sealed interface Inbound permits AuthOk, AuthError, HeartbeatAck, SubscribeOk, Event, Invalid {
    }

    record Project(String id, String slug, String name, String chatId) {
        Map<String, Object> asMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("id", id);
            map.put("slug", slug);
            map.put("name", name);
            map.put("chat_id", chatId);
            return map;
        }
    }

    /** {@code auth.ok}: what the session starts with; empty lists when the tracker sent no data. */
    record AuthOk(String lobbyChatId, List<Project> projects, List<String> online) implements Inbound {
    }

    record AuthError(String reason) implements Inbound {
    }

    record HeartbeatAck(String type) implements Inbound {
    }

    record SubscribeOk(String type, String detail) implements Inbound {
    }

    /**
     * Every other message: a tracker event.
     *
     * @param id     the tracker's id, or a generated one when {@code fromTracker} is false
     * @param data   the event's {@code data}, or the whole message when it has none
     */
    record Event(String type, String id, boolean fromTracker, JsonNode data, Instant time) implements Inbound {
    }

    /** A frame that is dropped: not JSON, too large, or without {@code type}/{@code event}. */
    record Invalid(String why, String excerpt) implements Inbound {
    }

    private final JsonFraming json;

    TrackerCodec(int maxFrameChars) {
        this.json = new JsonFraming(maxFrameChars);
    }

    Inbound decode(String text) {
        JsonResult<JsonNode> parsed = json.parse(text);
        if (parsed instanceof JsonResult.Error<JsonNode> error) {
            return new Invalid(error.kind() == JsonResult.ErrorKind.TOO_LARGE ? error.message() : "not JSON",
                    excerpt(text));
        }
        JsonNode message = ((JsonResult.Ok<JsonNode>) parsed).value();
        String type = textOf(message, "event");
        if (type == null) {
            type = textOf(message, "type");
        }
        if (type == null) {
            return new Invalid("message without event/type field", excerpt(text));
        }
        if (AUTH_OK.contains(type)) {
            return authOk(message);
        }
        if (AUTH_ERROR.contains(type)) {
            return new AuthError(authErrorReason(message));
        }
        if (HEARTBEAT_ACK.contains(type)) {
            return new HeartbeatAck(type);
        }
        if (SUBSCRIBE_OK.contains(type)) {
            JsonNode data = message.path("data");
            return new SubscribeOk(type, excerpt(data.isMissingNode() ? "{}" : data.toString()));
        }
        return event(type, message);
    }

    private static AuthOk authOk(JsonNode message) {
        JsonNode data = message.hasNonNull("data") ? message.get("data") : message.path("init");
        List<Project> projects = new ArrayList<>();
        for (JsonNode project : data.path("projects")) {
            projects.add(new Project(textOf(project, "id"), textOf(project, "slug"), textOf(project, "name"),
                    textOf(project, "chat_id")));
        }
        JsonNode online = data.hasNonNull("online") ? data.get("online") : data.path("agents_online");
        List<String> members = new ArrayList<>();
        for (JsonNode member : online) {
            String name = member.isValueNode() ? member.asText() : textOf(member, "name");
            if (name == null) {
                name = textOf(member, "id");
            }
            if (name != null) {
                members.add(name);
            }
        }
        return new AuthOk(textOf(data, "lobby_chat_id"), List.copyOf(projects), List.copyOf(members));
    }

    /** {@code message}, else {@code data} as text or its {@code message}. */
    private static String authErrorReason(JsonNode message) {
        String reason = textOf(message, "message");
        if (reason == null) {
            JsonNode data = message.path("data");
            reason = data.isValueNode() ? data.asText() : textOf(data, "message");
        }
        return reason == null || reason.isBlank() ? "rejected by the tracker" : reason;
    }

    private static Event event(String type, JsonNode message) {
        String id = textOf(message, "id");
        JsonNode data = message.hasNonNull("data") ? message.get("data") : message;
        return new Event(type, id == null ? type + "-" + UUID.randomUUID() : id, id != null, data,
                time(message.get("ts")));
    }

    /** {@code ts} in epoch milliseconds or ISO-8601; now when absent or unreadable. */
    private static Instant time(JsonNode ts) {
        if (ts != null && ts.isNumber()) {
            return Instant.ofEpochMilli(ts.asLong());
        }
        if (ts != null && ts.isTextual()) {
            try {
                return Instant.parse(ts.textValue());
            } catch (DateTimeParseException unreadable) {
                return Instant.now();
            }
        }
        return Instant.now();
    }

    // --- outgoing -------------------------------------------------------------------------------

    /** {@code {type, event, …payload}}: both convention fields, equal, never overridden by the payload. */
    String frame(String type, Map<String, ?> payload) {
        ObjectNode frame = json.mapper().createObjectNode();
        frame.put("type", type);
        frame.put("event", type);
        payload.forEach((key, value) -> {
            if (!"type".equals(key) && !"event".equals(key)) {
                frame.set(key, json.toTree(value));
            }
        });
        return json.write(frame);
    }

    String auth(String token) {
        return frame(AUTH, Map.of("token", token));
    }

    String heartbeat(boolean busy) {
        return frame(HEARTBEAT, Map.of("status", busy ? "busy" : "online"));
    }

    /** The ack names the event it acknowledges. */
    String ack(String eventId) {
        return frame(ACK, Map.of("event_id", eventId));
    }

    /** {@code chat.send} to a chat, or as a comment on a task when {@code taskId} is given. */
    String chatSend(String chatId, String taskId, String content, List<String> mentions, String thinking) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("content", content);
        payload.put("mentions", mentions);
        if (chatId != null) {
            payload.put("chat_id", chatId);
        }
        if (taskId != null) {
            payload.put("task_id", taskId);
        }
        if (thinking != null && !thinking.isEmpty()) {
            payload.put("thinking", thinking);
        }
        return frame(CHAT_SEND, payload);
    }

    /** A stream event passed through: its data as the frame's fields. */
    String stream(String type, Map<String, ?> data) {
        return frame(type, data);
    }

    // --- tracker events as Switchboard messages ----------------------------------------------------

    /** A chat message's chat: its {@code chat_id}, else {@code task:<id>} for a comment on a task; null when neither. */
    static String chatChannel(JsonNode data) {
        String chat = textOf(data, "chat_id");
        return chat != null ? chat : taskChannel(data);
    }

    /** {@code task:<id>} for an event that names a task ({@code task_id} or {@code task.id}), else null. */
    static String taskChannel(JsonNode data) {
        String task = textOf(data, "task_id");
        if (task == null) {
            task = textOf(data.path("task"), "id");
        }
        return task == null ? null : TASK_CHANNEL + task;
    }

    /** A chat message or task comment: an event whose text, if it is a string, is published as chat. */
    static boolean isChat(Event event) {
        return CHAT_EVENTS.contains(event.type());
    }

    /**
     * The text of a chat message or task comment: {@code content} (else {@code text}) when it is a
     * JSON string; null for other events and for a chat event whose content is anything else.
     */
    static String chatText(Event event) {
        if (!isChat(event)) {
            return null;
        }
        JsonNode content = event.data().has("content") ? event.data().get("content") : event.data().get("text");
        return content != null && content.isTextual() ? content.textValue() : null;
    }

    /** {@code author} as a name or {@code {id, name}}, else {@code author_id}/{@code author_name}. */
    static Author author(JsonNode data) {
        JsonNode author = data.path("author");
        if (author.isTextual() && !author.textValue().isBlank()) {
            return Author.of(author.textValue());
        }
        String id = textOf(author, "id");
        String name = author.isObject() ? firstText(author, "name", "display_name") : null;
        if (id == null) {
            id = textOf(data, "author_id");
            name = name != null ? name : textOf(data, "author_name");
        }
        if (id == null) {
            return name == null ? Author.UNKNOWN : Author.of(name);
        }
        return new Author(id, name);
    }

    /** Where a routed message goes: a chat id, or a task for a {@code task:<id>} channel. */
    record Target(String chatId, String taskId) {
        static Target of(String channel) {
            if (channel.startsWith(TASK_CHANNEL)) {
                return new Target(null, channel.substring(TASK_CHANNEL.length()));
            }
            return new Target(channel, null);
        }
    }

    /** {@code mentions} from a message's data when it is a list, else none. */
    static List<String> mentions(Message message) {
        if (message.data() instanceof Map<?, ?> data && data.get("mentions") instanceof List<?> list) {
            return list.stream().filter(m -> m != null).map(String::valueOf).toList();
        }
        return List.of();
    }

    /** {@code thinking} from a message's data when it is text. */
    static String thinking(Message message) {
        return message.data() instanceof Map<?, ?> data && data.get("thinking") instanceof String text ? text : null;
    }

    /** A message's chat text: its text, else {@code content} or {@code text} in its data. */
    static String content(Message message) {
        if (message.text() != null) {
            return message.text();
        }
        if (message.data() instanceof Map<?, ?> data) {
            Object content = data.get("content") != null ? data.get("content") : data.get("text");
            return content instanceof String text ? text : null;
        }
        return null;
    }

    static String excerpt(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= EXCERPT ? text : text.substring(0, EXCERPT);
    }

    private static String textOf(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull() || value.isContainerNode()) {
            return null;
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String field : fields) {
            String text = textOf(node, field);
            if (text != null) {
                return text;
            }
        }
        return null;
    }
}
