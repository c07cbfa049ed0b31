package dev.switchboard.benchmarks;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What the load drivers share: their {@code --name value} arguments and their one-line JSON figures. */
final class Figures {

    private Figures() {
    }

    /** {@code --name value} pairs in order; a {@code --name} followed by another (or nothing) is {@code "true"}. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].replaceFirst("^--", "");
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(name, flag ? "true" : args[++i]);
        }
        return options;
    }

    /** The {@code quantile} of sorted nanoseconds, in milliseconds; -1 when there are none. */
    static double millis(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return round(sorted[Math.max(0, index)] / 1e6);
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** Maps, strings and numbers as JSON (strings never hold anything that needs more than a quote escaped). */
    static String json(Object value) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            map.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":").append(json(v)));
            return out.append('}').toString();
        }
        if (value instanceof String s) {
            return '"' + s.replace("\"", "\\\"") + '"';
        }
        return String.format(Locale.ROOT, "%s", value);
    }
}
