package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.StreamFixture.answer101;
import static dev.switchboard.transport.internal.StreamFixture.readHead;
import static dev.switchboard.transport.internal.StreamFixture.upgrade;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Byte streams end to end on loopback: a client, a splicing front server, a backend. */
class ByteStreamTest {

    private final StreamFixture fixture = new StreamFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void bytesSentWithEitherHeadArriveFirst() throws Exception {
        StreamFixture.Backend backend = fixture.backend(socket -> {
            try {
                InputStream in = socket.getInputStream();
                fixture.heads.add(readHead(in));
                answer101(socket, "", "HELLO".getBytes(ISO_8859_1));
                byte[] first = in.readNBytes(4);
                socket.getOutputStream().write(("got " + new String(first, ISO_8859_1)).getBytes(ISO_8859_1));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        WebSocketServer front = fixture.front(backend.address());

        try (Socket client = upgrade(front.port(), "", "PING".getBytes(ISO_8859_1))) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertEquals("HELLOgot PING", new String(in.readNBytes(13), ISO_8859_1));
            // the upgraded browser side keeps nothing of Grizzly's HTTP codec (its request was ~9 KB)
            assertEquals(List.of(false), fixture.keptCodecRequest);
        }
    }

    @Test
    void hopByHopHeadersAreReplacedAndForwardedHeadersAdded() throws Exception {
        StreamFixture.Backend backend = fixture.backend(socket -> {
            try {
                backendHeads(socket);
                answer101(socket, "Keep-Alive: timeout=5\r\nX-Service: echo\r\n", new byte[0]);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        WebSocketServer front = fixture.front(backend.address());

        try (Socket client = upgrade(front.port(),
                "Keep-Alive: 300\r\nProxy-Authorization: Basic secret\r\nX-Forwarded-For: 10.0.0.1\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", new byte[0])) {
            String answer = readHead(client.getInputStream()).toLowerCase(Locale.ROOT);
            assertTrue(answer.contains("x-service: echo"), answer);
            assertFalse(answer.contains("keep-alive"), answer);
            assertEquals(1, count(answer, "connection: upgrade"), answer);
        }
        String head = fixture.heads.peek().toLowerCase(Locale.ROOT);
        assertEquals(1, count(head, "connection:"), head);
        assertTrue(head.contains("connection: upgrade\r\n"), head);
        assertTrue(head.contains("upgrade: websocket\r\n"), head);
        assertFalse(head.contains("keep-alive"), head);
        assertFalse(head.contains("proxy-authorization"), head);
        assertTrue(head.contains("host: app.localhost:"), head);
        assertTrue(head.contains("origin: http://app.localhost\r\n"), head);
        assertTrue(head.contains("sec-websocket-key: dghlihnhbxbszsbub25jzq==\r\n"), head);
        assertTrue(head.contains("x-forwarded-for: 10.0.0.1, 127.0.0.1\r\n"), head);
        assertTrue(head.contains("x-forwarded-host: app.localhost:"), head);
        assertTrue(head.contains("x-forwarded-proto: http\r\n"), head);
        assertTrue(head.startsWith("get /chat?room=1 http/1.1\r\n"), head);
    }

    @Test
    void halfCloseIsPassedOnBothWays() throws Exception {
        StreamFixture.Backend backend = fixture.backend(socket -> {
            try {
                readHead(socket.getInputStream());
                answer101(socket, "", new byte[0]);
                byte[] all = socket.getInputStream().readAllBytes(); // until the client's half-close arrives
                socket.getOutputStream().write(all);
                socket.getOutputStream().write("bye".getBytes(ISO_8859_1));
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        WebSocketServer front = fixture.front(backend.address());

        try (Socket client = upgrade(front.port(), "", new byte[0])) {
            InputStream in = client.getInputStream();
            readHead(in);
            client.getOutputStream().write("hello".getBytes(ISO_8859_1));
            client.shutdownOutput();
            assertEquals("hellobye", new String(in.readAllBytes(), ISO_8859_1));
        }
        Await.until("the splice ends", () -> fixture.ended.size() == 1);
        assertEquals(List.of(false), fixture.endedReset);
        assertEquals(5, fixture.ended.get(0).bytesAToB());
        assertEquals(8, fixture.ended.get(0).bytesBToA());
    }

    @Test
    void aClientResetClosesTheBackend() throws Exception {
        AtomicLong backendSaw = new AtomicLong(-2);
        StreamFixture.Backend backend = fixture.backend(socket -> {
            try {
                readHead(socket.getInputStream());
                answer101(socket, "", new byte[0]);
                backendSaw.set(socket.getInputStream().read());
            } catch (IOException e) {
                backendSaw.set(-1);
            }
        });
        WebSocketServer front = fixture.front(backend.address());

        Socket client = upgrade(front.port(), "", new byte[0]);
        readHead(client.getInputStream());
        client.setSoLinger(true, 0);
        client.close();

        Await.until("the backend sees its connection end", () -> backendSaw.get() == -1);
        Await.until("the splice ends", () -> fixture.ended.size() == 1);
        assertEquals(List.of(true), fixture.endedReset);
    }

    @Test
    void aBackendResetClosesTheClient() throws Exception {
        StreamFixture.Backend backend = fixture.backend(socket -> {
            try {
                readHead(socket.getInputStream());
                answer101(socket, "", "x".getBytes(ISO_8859_1));
                socket.getInputStream().read();
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        WebSocketServer front = fixture.front(backend.address());

        try (Socket client = upgrade(front.port(), "", new byte[0])) {
            InputStream in = client.getInputStream();
            readHead(in);
            assertEquals('x', in.read());
            client.getOutputStream().write('y');
            int end;
            try {
                end = in.read();
            } catch (SocketException reset) {
                end = -1;
            }
            assertEquals(-1, end);
        }
        Await.until("the splice ends", () -> fixture.ended.size() == 1);
        assertEquals(List.of(true), fixture.endedReset);
    }

    @Test
    void anUnreachableBackendIsABadGateway() throws Exception {
        StreamFixture.Backend backend = fixture.backend(socket -> { });
        java.net.InetSocketAddress gone = backend.address();
        backend.close();
        WebSocketServer front = fixture.front(gone);

        try (Socket client = upgrade(front.port(), "", new byte[0])) {
            String head = readHead(client.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 502"), head);
            assertEquals(-1, client.getInputStream().read());
        }
    }

    @Test
    void aThousandConcurrentSplicesEcho() throws Exception {
        WebSocketServer echo = fixture.echoBackend();
        WebSocketServer front = fixture.front(echo.address());
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                Socket client = upgrade(front.port(), "", new byte[0]);
                clients.add(client);
            }
            for (Socket client : clients) {
                String head = readHead(client.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 101"), head);
            }
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).getOutputStream().write(("message " + i).getBytes(ISO_8859_1));
            }
            for (int i = 0; i < clients.size(); i++) {
                byte[] expected = ("message " + i).getBytes(ISO_8859_1);
                assertArrayEquals(expected, clients.get(i).getInputStream().readNBytes(expected.length));
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        Await.until("every splice ends", () -> fixture.ended.size() == 1000);
    }

    @Test
    void aHundredMegabytesReachASlowReaderInBoundedMemory() throws Exception {
        long total = 100L << 20;
        AtomicLong received = new AtomicLong();
        StreamFixture.Backend backend = fixture.backend(socket -> {
            try {
                readHead(socket.getInputStream());
                answer101(socket, "", new byte[0]);
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    received.addAndGet(n);
                    Thread.sleep(1); // a slow reader
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        WebSocketServer front = fixture.front(backend.address());
        long baseline = usedHeapAfterGc();
        long[] peak = {0};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak[0] = Math.max(peak[0], usedHeapAfterGc());
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        try (Socket client = upgrade(front.port(), "", new byte[0])) {
            readHead(client.getInputStream());
            sampler.start();
            OutputStream out = client.getOutputStream();
            byte[] chunk = new byte[256 * 1024];
            for (long sent = 0; sent < total; sent += chunk.length) {
                out.write(chunk);
            }
            Await.until("every byte arrives", () -> received.get() == total);
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        long growth = peak[0] - baseline;
        assertTrue(growth < 16L << 20, "heap grew by " + (growth >> 10) + " KiB");
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private void backendHeads(Socket socket) throws IOException {
        fixture.heads.add(readHead(socket.getInputStream()));
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
