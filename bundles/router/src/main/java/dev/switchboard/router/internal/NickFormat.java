package dev.switchboard.router.internal;

import java.util.Map;

/**
 * A nick format such as {@code [{PROTOCOL}] <{NICK}> }: the placeholders {@code {NICK}},
 * {@code {PROTOCOL}}, {@code {ENDPOINT}}, {@code {CHANNEL}} and {@code {GATEWAY}} are filled in one
 * pass, so a nick that itself reads "{CHANNEL}" stays as written; unknown placeholders stay literal.
 */
record NickFormat(String pattern) {

    String apply(String nick, String protocol, String endpoint, String channel, String gateway) {
        Map<String, String> values = Map.of("NICK", nick, "PROTOCOL", protocol, "ENDPOINT", endpoint,
                "CHANNEL", channel, "GATEWAY", gateway);
        StringBuilder out = new StringBuilder(pattern.length() + 32);
        int i = 0;
        while (i < pattern.length()) {
            int open = pattern.indexOf('{', i);
            int close = open < 0 ? -1 : pattern.indexOf('}', open);
            if (close < 0) {
                out.append(pattern, i, pattern.length());
                break;
            }
            String value = values.get(pattern.substring(open + 1, close));
            if (value == null) {
                // not a placeholder: keep the '{' and look for one after it
                out.append(pattern, i, open + 1);
                i = open + 1;
            } else {
                out.append(pattern, i, open).append(value);
                i = close + 1;
            }
        }
        return out.toString();
    }
}
