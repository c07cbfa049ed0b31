package dev.switchboard.proxy.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The entries of a list-valued key, as a {@code .cfg} file or the Web Console gives them: several
 * values, or one value with entries separated by commas (a {@code .cfg} file holds one string).
 */
final class ConfigEntries {

    private ConfigEntries() {
    }

    static List<String> of(String[] values) {
        List<String> entries = new ArrayList<>();
        for (String value : values == null ? new String[0] : values) {
            for (String entry : value == null ? new String[0] : value.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.trim());
                }
            }
        }
        return entries;
    }
}
