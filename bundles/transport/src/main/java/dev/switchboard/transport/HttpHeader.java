package dev.switchboard.transport;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** One header line of an HTTP head, its name spelt as it came. */
public record HttpHeader(String name, String value) {

    public HttpHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** Whether this header is called {@code other}, ignoring case. */
    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The comma-separated tokens of the value, trimmed and in lower case ({@code keep-alive, Upgrade}). */
    public Set<String> tokens() {
        Set<String> tokens = new LinkedHashSet<>();
        for (String token : value.split(",")) {
            String trimmed = token.trim().toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                tokens.add(trimmed);
            }
        }
        return tokens;
    }
}
