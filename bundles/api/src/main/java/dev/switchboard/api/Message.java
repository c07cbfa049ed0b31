package dev.switchboard.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One message or protocol event travelling through Switchboard. Immutable and safe to share
 * between threads.
 *
 * @param id       unique and stable across hops: a message forwarded by a gateway keeps its id,
 *                 so every router and adapter can drop duplicates by it
 * @param endpoint the id of the endpoint the message entered Switchboard through
 * @param channel  room, topic, chat id or task as the endpoint's protocol names it
 * @param author   who wrote it
 * @param event    {@value #CHAT} for chat text; otherwise the protocol's event name
 * @param text     the chat text; {@code null} for events that carry only data
 * @param data     a JSON-compatible payload ({@code null}, {@link String}, {@link Number},
 *                 {@link Boolean}, {@link List} and {@link Map} with string keys), deep-copied
 *                 and unmodifiable
 * @param time     when the message was written, as the origin reports it
 * @param hops     endpoint ids the message has passed through, oldest first, starting with its
 *                 origin; a router never delivers a message to an endpoint listed here
 */
public record Message(String id, String endpoint, String channel, Author author, String event,
                      String text, Object data, Instant time, List<String> hops) {

    /** The event name of plain chat text. */
    public static final String CHAT = "message";

    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(channel, "channel");
        author = author == null ? Author.UNKNOWN : author;
        event = event == null ? CHAT : event;
        data = freeze(data);
        time = time == null ? Instant.now() : time;
        hops = hops == null || hops.isEmpty() ? List.of(endpoint) : List.copyOf(hops);
    }

    /** Starts a message entering Switchboard at {@code endpoint} on {@code channel}, with a new id. */
    public static Builder builder(String endpoint, String channel) {
        return new Builder().endpoint(endpoint).channel(channel);
    }

    /** A builder holding this message's fields, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder().id(id).endpoint(endpoint).channel(channel).author(author).event(event)
                .text(text).data(data).time(time).hops(hops);
    }

    /** True when this is chat text rather than a protocol event. */
    public boolean isChat() {
        return CHAT.equals(event);
    }

    /** True when the message has already passed through {@code endpointId}. */
    public boolean hasVisited(String endpointId) {
        return hops.contains(endpointId);
    }

    /** This message with {@code endpointId} appended to its hop trace (unchanged if already there). */
    public Message withHop(String endpointId) {
        if (hasVisited(endpointId)) {
            return this;
        }
        List<String> next = new ArrayList<>(hops);
        next.add(endpointId);
        return new Message(id, endpoint, channel, author, event, text, data, time, next);
    }

    private static Object freeze(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(freeze(v)));
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException("data must be JSON-compatible, got " + value.getClass().getName());
    }

    /** Builds a {@link Message}; a missing id becomes a random UUID, a missing time now. */
    public static final class Builder {
        private String id;
        private String endpoint;
        private String channel;
        private Author author;
        private String event;
        private String text;
        private Object data;
        private Instant time;
        private List<String> hops;

        private Builder() {
        }

        public Builder id(String id) { this.id = id; return this; }
        public Builder endpoint(String endpoint) { this.endpoint = endpoint; return this; }
        public Builder channel(String channel) { this.channel = channel; return this; }
        public Builder author(Author author) { this.author = author; return this; }
        public Builder author(String id, String name) { this.author = new Author(id, name); return this; }
        public Builder event(String event) { this.event = event; return this; }
        public Builder text(String text) { this.text = text; return this; }
        public Builder data(Object data) { this.data = data; return this; }
        public Builder time(Instant time) { this.time = time; return this; }
        public Builder hops(List<String> hops) { this.hops = hops; return this; }

        public Message build() {
            return new Message(id == null ? UUID.randomUUID().toString() : id, endpoint, channel, author,
                    event, text, data, time, hops);
        }
    }
}
