package dev.switchboard.endpoint.internal;

import dev.switchboard.api.Author;
import dev.switchboard.api.Message;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Message} as one JSON object and back, for a standby node that forwards what its router
 * routed to a cluster singleton's holder. The skeleton depends on the JDK alone, and a message's
 * data is already JSON-compatible (strings, numbers, booleans, null, lists, maps with string keys),
 * so this small writer and reader are all it needs.
 */
public final class MessageJson {

    private MessageJson() {
    }

    public static String write(Message message) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", message.id());
        fields.put("endpoint", message.endpoint());
        fields.put("channel", message.channel());
        fields.put("authorId", message.author().id());
        fields.put("authorName", message.author().name());
        fields.put("event", message.event());
        fields.put("text", message.text());
        fields.put("data", message.data());
        fields.put("time", message.time().toString());
        fields.put("hops", message.hops());
        StringBuilder out = new StringBuilder(256);
        value(out, fields);
        return out.toString();
    }

    /** The message {@link #write} wrote; an IllegalArgumentException for anything else. */
    public static Message read(String json) {
        Reader reader = new Reader(json);
        Object parsed = reader.value();
        reader.end();
        if (!(parsed instanceof Map<?, ?> fields)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        try {
            List<String> hops = new ArrayList<>();
            for (Object hop : (List<?>) fields.get("hops")) {
                hops.add((String) hop);
            }
            return new Message((String) fields.get("id"), (String) fields.get("endpoint"),
                    (String) fields.get("channel"),
                    new Author((String) fields.get("authorId"), (String) fields.get("authorName")),
                    (String) fields.get("event"), (String) fields.get("text"), fields.get("data"),
                    Instant.parse((String) fields.get("time")), hops);
        } catch (ClassCastException | NullPointerException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a message: " + e.getMessage(), e);
        }
    }

    private static void value(StringBuilder out, Object value) {
        if (value == null || value instanceof Boolean || value instanceof Number) {
            out.append(value);
        } else if (value instanceof String text) {
            string(out, text);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                string(out, String.valueOf(entry.getKey()));
                out.append(':');
                value(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                value(out, list.get(i));
            }
            out.append(']');
        } else {
            string(out, value.toString());
        }
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A recursive-descent reader of the JSON {@link #value} writes (and any other valid JSON). */
    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text == null ? "" : text;
        }

        Object value() {
            skipSpace();
            if (at >= text.length()) {
                throw fail("unexpected end");
            }
            char c = text.charAt(at);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        void end() {
            skipSpace();
            if (at != text.length()) {
                throw fail("text after the value");
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek() == '}') {
                at++;
                return map;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw fail("expected a key");
                }
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (peek() == ']') {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            at++;
            while (true) {
                if (at >= text.length()) {
                    throw fail("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw fail("unterminated escape");
                }
                char escaped = text.charAt(at++);
                switch (escaped) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw fail("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException e) {
                            throw fail("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> out.append(escaped);
                }
            }
        }

        private Object number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String digits = text.substring(start, at);
            try {
                if (digits.indexOf('.') < 0 && digits.indexOf('e') < 0 && digits.indexOf('E') < 0) {
                    BigInteger whole = new BigInteger(digits);
                    return whole.bitLength() < 64 ? (Object) whole.longValue() : whole;
                }
                return new BigDecimal(digits).doubleValue();
            } catch (NumberFormatException | ArithmeticException e) {
                throw fail("not a value");
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw fail("not a value");
            }
            at += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("expected " + c);
            }
            at++;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private IllegalArgumentException fail(String why) {
            return new IllegalArgumentException(why + " at " + at);
        }
    }
}
