package dev.switchboard.relay.internal;

import static dev.switchboard.relay.internal.RelayFixture.await;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.EndpointStatus.State;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay client's kept-alive connections to its local service ({@link LocalConnections}), with
 * a service on plain sockets that answers as each test needs: requests share connections, and
 * everything unusual closes one instead of keeping it.
 */
class RelayLocalConnectionsTest {

    private final RelayFixture relay;
    private LocalHttpService local;
    private RelayClientAdapter web;

    RelayLocalConnectionsTest() throws Exception {
        relay = new RelayFixture();
    }

    @AfterEach
    void close() throws IOException {
        if (web != null) {
            web.stop();
        }
        relay.close();
        if (local != null) {
            local.close();
        }
    }

    /** Tunnel {@code web} in front of {@code service}. */
    private void expose(LocalHttpService.Responder service) throws Exception {
        local = new LocalHttpService(service);
        web = new RelayClientAdapter(relay.transport);
        web.start(relay.clientSettings("web", RelayFixture.TOKEN, local.port()));
        await("tunnel web registers", () -> web.status().state() == State.ONLINE);
    }

    private int idle() {
        return web.client().idleLocalConnections();
    }

    @Test
    void sequentialAndConcurrentKeptAliveRequestsShareKeptConnectionsAndComeBackInOrder() throws Exception {
        String big = "x".repeat(1 << 20);
        expose((request, out, socket) -> {
            LocalHttpService.ok(out, request.target().equals("/big") ? big
                    : request.method() + " " + request.target() + " " + new String(request.body(), ISO_8859_1));
            return true;
        });
        try (Browser browser = new Browser()) {
            // a kept connection goes back to the pool just after its response reached the browser:
            // each next request waits for that, or it may find none idle and open another
            for (int i = 0; i < 50; i++) {
                assertEquals("GET /seq/" + i + " ", browser.get("/seq/" + i).body);
                await("the local connection is kept", () -> idle() == 1);
            }
            // bodies over the relay's window, each followed by a request on the same local connection
            for (int i = 0; i < 5; i++) {
                assertEquals(big, browser.get("/big").body);
                await("the local connection is kept", () -> idle() == 1);
                assertEquals("GET /after/" + i + " ", browser.get("/after/" + i).body);
                await("the local connection is kept", () -> idle() == 1);
            }
            // the service answers a body sent by length as soon as it has read it, which may be
            // before the body's END reached the relay client: the connection is kept either way
            for (int i = 0; i < 20; i++) {
                assertEquals("POST /post hello", browser.send("POST /post", "Content-Length: 5\r\n", "hello").body);
                await("the local connection is kept", () -> idle() == 1);
            }
            assertEquals("POST /chunked hello", browser.send("POST /chunked", "Transfer-Encoding: chunked\r\n",
                    "5\r\nhello\r\n0\r\n\r\n").body);
        }
        assertEquals(1, local.accepted.get(), "one local connection for sequential requests");

        ExecutorService browsers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int b = 0; b < 8; b++) {
                int n = b;
                done.add(browsers.submit(() -> {
                    try (Browser browser = new Browser()) {
                        for (int i = 0; i < 25; i++) {
                            String path = "/b" + n + "/" + i;
                            assertEquals("GET " + path + " ", browser.get(path).body);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> browser : done) {
                browser.get(60, TimeUnit.SECONDS);
            }
        } finally {
            browsers.shutdownNow();
        }
        assertTrue(local.accepted.get() <= 9, "at most one local connection per concurrent request, got "
                + local.accepted.get() + " for 200 requests");
        assertEquals(281, local.requests.get());
        await("every kept connection idles in the pool", () -> idle() == local.accepted.get());
    }

    /** Bad input: a service answering {@code Connection: close}; each request needs a connection of its own. */
    @Test
    void aServiceAnsweringConnectionCloseGetsANewConnectionPerRequest() throws Exception {
        expose((request, out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye".getBytes(ISO_8859_1));
            return false;
        });
        try (Browser browser = new Browser()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("bye", browser.get("/").body);
            }
        }
        assertEquals(3, local.accepted.get());
        assertEquals(0, idle());
    }

    /**
     * Bad input: an HTTP/1.0 service that keeps its connection open after an answer with a length;
     * the relay does not take that as keep-alive and closes it.
     */
    @Test
    void anHttp10ServiceIsNeverKept() throws Exception {
        expose((request, out, socket) -> {
            out.write("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold".getBytes(ISO_8859_1));
            return true;
        });
        try (Browser browser = new Browser()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("old", browser.get("/").body);
            }
        }
        assertEquals(3, local.accepted.get());
        assertEquals(0, idle());
        await("the relay closed every HTTP/1.0 connection", () -> local.openConnections() == 0);
    }

    /** Bad input: an answer without a length, read to the end of its connection; the browser's connection goes on. */
    @Test
    void anAnswerWithoutLengthIsReadToItsConnectionsEnd() throws Exception {
        expose((request, out, socket) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end " + request.target())
                    .getBytes(ISO_8859_1));
            return false;
        });
        try (Browser browser = new Browser()) {
            assertEquals("until the end /a", browser.get("/a").body);
            assertEquals("until the end /b", browser.get("/b").body);
        }
        assertEquals(2, local.accepted.get());
        assertEquals(0, idle());
    }

    /** Bad input: the service closes a kept connection while it idles; the next request goes out on a new one. */
    @Test
    void aKeptConnectionTheServiceClosesIsDroppedAndTheNextRequestSucceeds() throws Exception {
        expose((request, out, socket) -> {
            LocalHttpService.ok(out, "fine");
            return true;
        });
        try (Browser browser = new Browser()) {
            assertEquals("fine", browser.get("/").body);
            await("the connection idles in the pool", () -> idle() == 1);
            local.closeConnections();
            await("the pool drops the connection the service closed", () -> idle() == 0);
            assertEquals("fine", browser.get("/").body);
        }
        assertEquals(2, local.accepted.get());
    }

    /**
     * Bad input: a service that closes a kept connection, without answering, just as the next
     * request arrives on it. A GET is sent again on a new connection; a POST, whose body may have
     * been taken, is not: the browser gets 502.
     */
    @Test
    void aRequestMeetingAClosingKeptConnectionIsSentAgainOnlyWhenThatIsHarmless() throws Exception {
        Map<Socket, Integer> served = new ConcurrentHashMap<>();
        expose((request, out, socket) -> {
            if (served.merge(socket, 1, Integer::sum) > 1) {
                return false;
            }
            LocalHttpService.ok(out, "first on its connection");
            return true;
        });
        try (Browser browser = new Browser()) {
            assertEquals("first on its connection", browser.get("/").body);
            await("the connection idles in the pool", () -> idle() == 1);
            assertEquals("first on its connection", browser.get("/again").body);
            assertEquals(2, local.accepted.get(), "the GET went out again on a new connection");
            await("the new connection idles in the pool", () -> idle() == 1);
            Response post = browser.send("POST /form", "Content-Length: 4\r\n", "data");
            assertEquals(502, post.status, post.body);
            assertEquals(2, local.accepted.get(), "a POST is not sent twice");
        }
    }

    /**
     * Bad input: a browser that goes away in the middle of a big answer. The local connection still
     * holds unread bytes of it: it is closed, not kept, and the next request gets a new one.
     */
    @Test
    void aBodyNotReadToItsEndClosesTheLocalConnection() throws Exception {
        byte[] big = new byte[32 << 20];
        expose((request, out, socket) -> {
            if (request.target().equals("/big")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + big.length + "\r\n\r\n").getBytes(ISO_8859_1));
                out.write(big);
            } else {
                LocalHttpService.ok(out, "small");
            }
            return true;
        });
        try (Browser browser = new Browser()) {
            browser.out.write("GET /big HTTP/1.1\r\nHost: web.localhost\r\n\r\n".getBytes(ISO_8859_1));
            assertTrue(RelayFixture.readHead(browser.in).startsWith("HTTP/1.1 200"));
            browser.in.readNBytes(1024);
        }
        await("the half-sent answer's local connection is closed", () -> local.openConnections() == 0);
        assertEquals(0, idle());
        try (Browser browser = new Browser()) {
            assertEquals("small", browser.get("/small").body);
        }
        assertEquals(2, local.accepted.get());
    }

    record Response(int status, String head, String body) {
    }

    /** A kept-alive browser connection to tunnel {@code web}, one request at a time. */
    private final class Browser implements AutoCloseable {

        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Browser() throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort());
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Response get(String path) throws IOException {
            return send("GET " + path, "", "");
        }

        Response send(String requestLine, String headers, String body) throws IOException {
            out.write((requestLine + " HTTP/1.1\r\nHost: web.localhost\r\n" + headers + "\r\n" + body).getBytes(ISO_8859_1));
            String head = RelayFixture.readHead(in);
            int status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            byte[] bytes;
            int at = lower.indexOf("\r\ncontent-length:");
            if (at >= 0) {
                int from = at + "\r\ncontent-length:".length();
                bytes = in.readNBytes(Integer.parseInt(head.substring(from, head.indexOf('\r', from)).trim()));
            } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
                bytes = LocalHttpService.dechunk(in);
            } else {
                bytes = in.readAllBytes();
            }
            return new Response(status, head, new String(bytes, ISO_8859_1));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
