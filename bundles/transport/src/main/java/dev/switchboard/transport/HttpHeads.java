package dev.switchboard.transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What request and response heads share: header lookup, parsing and the wire form. */
final class HttpHeads {

    private HttpHeads() {
    }

    static Optional<String> first(List<HttpHeader> headers, String name) {
        return headers.stream().filter(h -> h.is(name)).map(HttpHeader::value).findFirst();
    }

    static boolean hasToken(List<HttpHeader> headers, String name, String token) {
        return headers.stream().anyMatch(h -> h.is(name) && h.tokens().contains(token));
    }

    static byte[] bytes(String startLine, List<HttpHeader> headers) {
        StringBuilder head = new StringBuilder(256).append(startLine).append("\r\n");
        for (HttpHeader header : headers) {
            head.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The lines of a head in {@code bytes[0, length)}, start line first, without the blank line. */
    static String[] lines(byte[] bytes, int length) {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1).split("\r\n");
    }

    /** The headers of {@code lines} after the start line. @throws IllegalArgumentException for a line without a colon */
    static List<HttpHeader> headers(String[] lines) {
        List<HttpHeader> headers = new ArrayList<>(lines.length);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("not an HTTP header line: " + lines[i]);
            }
            headers.add(new HttpHeader(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()));
        }
        return headers;
    }
}
