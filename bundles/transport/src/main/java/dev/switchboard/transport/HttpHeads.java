package dev.switchboard.transport;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** What request and response heads share: header lookup and the wire form. */
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
}
