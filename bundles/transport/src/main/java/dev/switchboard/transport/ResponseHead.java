package dev.switchboard.transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The head of an HTTP/1.1 response: status line and headers, in order, as they came. */
public record ResponseHead(String version, int status, String reason, List<HttpHeader> headers) {

    public ResponseHead {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
        headers = List.copyOf(headers);
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be 100..999, got " + status);
        }
    }

    public static ResponseHead of(int status, String reason, List<HttpHeader> headers) {
        return new ResponseHead("HTTP/1.1", status, reason, headers);
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        return HttpHeads.first(headers, name);
    }

    public ResponseHead withHeaders(List<HttpHeader> replaced) {
        return new ResponseHead(version, status, reason, replaced);
    }

    /** The head as sent on the wire, ending with the blank line. */
    public byte[] bytes() {
        return HttpHeads.bytes(version + " " + status + (reason.isEmpty() ? "" : " " + reason), headers);
    }

    /**
     * Parses a head that ends at {@code length} (just past its blank line).
     *
     * @throws IllegalArgumentException when it is no HTTP response head
     */
    public static ResponseHead parse(byte[] bytes, int length) {
        String[] lines = HttpHeads.lines(bytes, length);
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new IllegalArgumentException("not an HTTP status line: " + lines[0]);
        }
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an HTTP status code: " + status[1], e);
        }
        return new ResponseHead(status[0], code, status.length > 2 ? status[2] : "", HttpHeads.headers(lines));
    }

    /** Where a head in {@code bytes[0, length)} ends (just past CRLF CRLF), or -1 while incomplete. */
    public static int end(byte[] bytes, int length) {
        for (int i = 0; i + 3 < length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }
}
