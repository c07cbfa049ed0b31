package dev.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HopByHopTest {

    @Test
    void firefoxsUpgradeIsNormalisedAndHopByHopHeadersGo() {
        RequestHead firefox = new RequestHead("GET", "/socket", "HTTP/1.1", List.of(
                new HttpHeader("Host", "app.localhost:8030"),
                new HttpHeader("Connection", "keep-alive, Upgrade, X-Private"),
                new HttpHeader("Upgrade", "websocket"),
                new HttpHeader("X-Private", "drop me"),
                new HttpHeader("Keep-Alive", "300"),
                new HttpHeader("Proxy-Connection", "keep-alive"),
                new HttpHeader("TE", "trailers, deflate"),
                new HttpHeader("Origin", "http://app.localhost:8030"),
                new HttpHeader("X-Forwarded-For", "10.0.0.1")));

        RequestHead forwarded = HopByHop.forward(firefox, "127.0.0.1", "http");

        assertEquals(List.of(
                new HttpHeader("Host", "app.localhost:8030"),
                new HttpHeader("Origin", "http://app.localhost:8030"),
                new HttpHeader("TE", "trailers"),
                new HttpHeader("Connection", "Upgrade"),
                new HttpHeader("Upgrade", "websocket"),
                new HttpHeader("X-Forwarded-For", "10.0.0.1, 127.0.0.1"),
                new HttpHeader("X-Forwarded-Host", "app.localhost:8030"),
                new HttpHeader("X-Forwarded-Proto", "http")), forwarded.headers());
    }

    @Test
    void aPlainRequestLosesItsFramingHeadersAndIsNoUpgrade() {
        RequestHead post = new RequestHead("POST", "/upload", "HTTP/1.1", List.of(
                new HttpHeader("Host", "a"), new HttpHeader("Transfer-Encoding", "chunked"),
                new HttpHeader("Upgrade", "h2c")));

        RequestHead forwarded = HopByHop.forward(post, "::1", "https");

        assertEquals(List.of(new HttpHeader("Host", "a"), new HttpHeader("X-Forwarded-For", "::1"),
                new HttpHeader("X-Forwarded-Host", "a"), new HttpHeader("X-Forwarded-Proto", "https")),
                forwarded.headers());
    }

    @Test
    void aSwitchingResponseKeepsOneUpgradeConnection() {
        ResponseHead switching = ResponseHead.of(101, "Switching Protocols", List.of(
                new HttpHeader("connection", "upgrade"), new HttpHeader("upgrade", "websocket"),
                new HttpHeader("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
                new HttpHeader("Keep-Alive", "timeout=5")));

        assertEquals(List.of(new HttpHeader("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
                new HttpHeader("Connection", "Upgrade"), new HttpHeader("Upgrade", "websocket")),
                HopByHop.forward(switching).headers());
    }

    @Test
    void responseHeadsParseAndPrintAlike() {
        byte[] bytes = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nX-A: b: c\r\n\r\nabc".getBytes();
        int end = ResponseHead.end(bytes, bytes.length);
        ResponseHead head = ResponseHead.parse(bytes, end);
        assertEquals(404, head.status());
        assertEquals("Not Found", head.reason());
        assertEquals("b: c", head.header("x-a").orElseThrow());
        assertEquals(new String(bytes, 0, end), new String(head.bytes()));
    }

    /** Bad input: a request line without a version, a header line without a colon. */
    @Test
    void requestHeadsParseAndPrintAlike() {
        RequestHead head = new RequestHead("GET", "/a%20b?x=1", "HTTP/1.1",
                List.of(new HttpHeader("Host", "kuma.test"), new HttpHeader("Connection", "Upgrade"),
                        new HttpHeader("Upgrade", "websocket"), new HttpHeader("X-Empty", "")));
        byte[] bytes = head.bytes();
        assertEquals(head, RequestHead.parse(bytes, bytes.length));
        byte[] noVersion = "GET /\r\n\r\n".getBytes();
        assertThrows(IllegalArgumentException.class, () -> RequestHead.parse(noVersion, noVersion.length));
        byte[] noColon = "GET / HTTP/1.1\r\nnocolon\r\n\r\n".getBytes();
        assertThrows(IllegalArgumentException.class, () -> RequestHead.parse(noColon, noColon.length));
    }
}
