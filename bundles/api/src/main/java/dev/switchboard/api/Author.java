package dev.switchboard.api;

import java.util.Objects;

/**
 * Who wrote a message, as the originating protocol names them.
 *
 * @param id   the protocol's stable identifier (user name, agent id, connection id); never null
 * @param name the display name shown to people; defaults to {@code id} when absent
 */
public record Author(String id, String name) {

    /** An author the protocol does not identify (system events, anonymous clients). */
    public static final Author UNKNOWN = new Author("unknown", "unknown");

    public Author {
        Objects.requireNonNull(id, "id");
        if (name == null || name.isBlank()) {
            name = id;
        }
    }

    public static Author of(String id) {
        return new Author(id, id);
    }
}
