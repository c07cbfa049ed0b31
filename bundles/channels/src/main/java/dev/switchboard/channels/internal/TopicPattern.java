package dev.switchboard.channels.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A channel topic pattern: {@code :}-separated segments, {@code <name>} segments capture a
 * parameter, the others match literally, and the segment counts must be equal.
 */
final class TopicPattern {

    private final String text;
    private final String[] segments;

    TopicPattern(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a topic pattern must not be blank");
        }
        this.text = text;
        this.segments = text.split(":", -1);
    }

    /** The parameters of {@code topic}, or null when it does not match. */
    Map<String, String> match(String topic) {
        String[] parts = topic.split(":", -1);
        if (parts.length != segments.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < parts.length; i++) {
            String segment = segments[i];
            if (segment.length() > 1 && segment.startsWith("<") && segment.endsWith(">")) {
                if (params == null) {
                    params = new LinkedHashMap<>();
                }
                params.put(segment.substring(1, segment.length() - 1), parts[i]);
            } else if (!segment.equals(parts[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    @Override
    public String toString() {
        return text;
    }
}
