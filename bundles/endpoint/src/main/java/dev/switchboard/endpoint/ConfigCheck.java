package dev.switchboard.endpoint;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Checks of configuration values, for an adapter's settings factory: each returns the value when
 * it can work and otherwise throws an {@link IllegalArgumentException} naming the key, the value
 * and what it must be, which {@link EndpointSupport} turns into an {@code OFFLINE}
 * {@code CONFIGURATION_ERROR} status with that reason.
 */
public final class ConfigCheck {

    private ConfigCheck() {
    }

    /** A TCP port to listen on or connect to; 0 means "any free port" where {@code allowZero}. */
    public static int port(String key, int value, boolean allowZero) {
        return range(key, value, allowZero ? 0 : 1, 65_535);
    }

    /** At least 1. */
    public static int positive(String key, int value) {
        return range(key, value, 1, Integer.MAX_VALUE);
    }

    /** At least 0. */
    public static int notNegative(String key, int value) {
        return range(key, value, 0, Integer.MAX_VALUE);
    }

    public static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " = " + value + ": must be "
                    + (max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max));
        }
        return value;
    }

    /** A whole number of seconds, at least {@code minSeconds}. */
    public static Duration seconds(String key, int value, int minSeconds) {
        return Duration.ofSeconds(range(key, value, minSeconds, Integer.MAX_VALUE));
    }

    /** Trimmed, not empty. */
    public static String notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is empty: it must be set");
        }
        return value.trim();
    }

    /** An absolute URI with one of {@code schemes} (compared without case). */
    public static URI uri(String key, String value, String... schemes) {
        String text = notBlank(key, value);
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " = " + text + ": not a URI (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!Arrays.asList(schemes).contains(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException(key + " = " + text + ": must be a " + String.join("://, ", schemes)
                    + ":// address with a host");
        }
        return uri;
    }
}
