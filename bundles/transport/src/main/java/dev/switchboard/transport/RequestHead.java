package dev.switchboard.transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The head of an HTTP/1.1 request: request line and headers, in order, as they came.
 *
 * @param method  {@code GET}, {@code POST}, …
 * @param target  the request target as sent: raw path and query ({@code /a%20b?x=1})
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 */
public record RequestHead(String method, String target, String version, List<HttpHeader> headers) {

    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        headers = List.copyOf(headers);
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        return HttpHeads.first(headers, name);
    }

    /** The raw path, without the query. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /**
     * The protocol this request asks to switch to ({@code websocket}), when it carries an
     * {@code Upgrade} header and {@code upgrade} among its {@code Connection} tokens (whatever
     * else is listed there, as in Firefox's {@code keep-alive, Upgrade}).
     */
    public Optional<String> upgrade() {
        return HttpHeads.hasToken(headers, "Connection", "upgrade") ? header("Upgrade") : Optional.empty();
    }

    public RequestHead withHeaders(List<HttpHeader> replaced) {
        return new RequestHead(method, target, version, replaced);
    }

    /** The head as sent on the wire, ending with the blank line. */
    public byte[] bytes() {
        return HttpHeads.bytes(method + " " + target + " " + version, headers);
    }

    /**
     * Parses a head that ends at {@code length} (just past its blank line), as {@link #bytes()} writes it.
     *
     * @throws IllegalArgumentException when it is no HTTP/1.x request head
     */
    public static RequestHead parse(byte[] bytes, int length) {
        String[] lines = HttpHeads.lines(bytes, length);
        String[] request = lines[0].split(" ");
        if (request.length != 3 || !request[2].startsWith("HTTP/1.")) {
            throw new IllegalArgumentException("not an HTTP request line: " + lines[0]);
        }
        return new RequestHead(request[0], request[1], request[2], HttpHeads.headers(lines));
    }
}
