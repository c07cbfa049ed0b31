package dev.switchboard.proxy.internal;

import static dev.switchboard.proxy.internal.TunnelTest.await;

import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.internal.TyrusTransport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A controller and an agent on loopback, in front of two real services: a Tyrus WebSocket echo
 * service ({@code /echo}; the text {@code close:<code>:<reason>} makes it close) and an HTTP
 * service answering what it received. Browsers are real Tyrus clients and raw sockets.
 */
final class ProxyFixture implements AutoCloseable {

    static final int MAX_MESSAGE = 32 << 20;

    final TyrusTransport transport = new TyrusTransport();
    final WebSocketServer services;
    final ProxyControllerAdapter controller;
    final ProxyAgentAdapter agent;
    /** Request heads as the HTTP service saw them: header name (lower case) → values. */
    final ConcurrentLinkedQueue<Map<String, List<String>>> seen = new ConcurrentLinkedQueue<>();
    /** Close codes and reasons the echo service saw. */
    final BlockingQueue<String> serviceCloses = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    ProxyFixture(Duration openTimeout, String... extraServices) throws Exception {
        this(openTimeout, 1, extraServices);
    }

    /** @param tunnels the agent's tunnel connections */
    ProxyFixture(Duration openTimeout, int tunnels, String... extraServices) throws Exception {
        services = transport.listen(ServerSpec.builder("services").maxMessageSize(MAX_MESSAGE)
                .sendQueueLimit(100_000).build());
        services.addWebSocket("/echo", new WebSocketHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                if (text.startsWith("close:")) {
                    String[] parts = text.split(":", 3);
                    connection.close(Integer.parseInt(parts[1]), parts[2]);
                } else {
                    connection.sendText(text);
                }
            }

            @Override
            public void onBinary(WebSocketConnection connection, ByteBuffer data) {
                connection.sendBinary(data);
            }

            @Override
            public void onClose(WebSocketConnection connection, int code, String reason) {
                serviceCloses.add(code + " " + reason);
            }
        });
        services.addWebSocket("/flood", new WebSocketHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                flood(connection);
            }
        });
        services.addWebSocket("/dashboard", new WebSocketHandler() {
            @Override
            public void onOpen(WebSocketConnection connection) {
                dashboard(connection, 0);
            }
        });
        services.addHttp("/", (request, response) -> {
            seen.add(request.headers());
            byte[] body = digest(request.body());
            response.send(200, "text/plain", (request.method() + " " + request.path() + " " + new String(body,
                    StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
        });
        bulk = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread bulkThread = new Thread(this::serveBulk, "bulk-service");
        bulkThread.setDaemon(true);
        bulkThread.start();
        List<String> serviceList = new ArrayList<>(List.of("web=http://127.0.0.1:" + services.port(),
                "bulk=http://127.0.0.1:" + bulk.getLocalPort()));
        serviceList.addAll(List.of(extraServices));
        controller = new ProxyControllerAdapter(transport);
        controller.start(new ControllerSettings("ctl", "127.0.0.1", 0, "127.0.0.1", 0, Map.of("home", "s3cret"),
                ProxyRoutes.parse(new String[] {"* -> home/web", "*/down -> home/down", "*/slow -> home/slow",
                    "*/none -> home/none", "*/lab -> lab/web", "*/big -> home/bulk", "*/half -> home/half",
                    "*/kept -> home/kept"}), openTimeout, 262_144, 30));
        agent = new ProxyAgentAdapter(transport);
        agent.start(new AgentSettings("agent", URI.create("ws://127.0.0.1:"
                + controller.agents().address().getPort() + AgentListener.PATH), "home", "s3cret",
                AgentSettings.services(serviceList.toArray(String[]::new)), 262_144, tunnels));
        await(() -> agent.status().state() == State.ONLINE
                && controller.agents().agent("home").orElseThrow().tunnels().size() == tunnels);
    }

    /** Bytes the flood service has had written so far: it sends the next 64 KiB once the last is written. */
    final java.util.concurrent.atomic.AtomicLong flooded = new java.util.concurrent.atomic.AtomicLong();

    private void flood(WebSocketConnection connection) {
        if (connection.isOpen()) {
            connection.sendBinary(ByteBuffer.allocate(65_536)).thenRun(() -> {
                flooded.addAndGet(65_536);
                flood(connection);
            });
        }
    }

    /** Dashboard pushes: one text every 50 ms, {@link #DASHBOARD_MESSAGES} of them, then "end". */
    static final int DASHBOARD_MESSAGES = Integer.getInteger("proxy.dashboardMessages", 1800);
    private final java.util.concurrent.ScheduledExecutorService ticks =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

    private void dashboard(WebSocketConnection connection, int sequence) {
        if (!connection.isOpen()) {
            return;
        }
        connection.sendText(sequence < DASHBOARD_MESSAGES ? "{\"seq\":" + sequence + "}" : "end");
        if (sequence < DASHBOARD_MESSAGES) {
            ticks.schedule(() -> dashboard(connection, sequence + 1), 50, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private final java.net.ServerSocket bulk;

    /**
     * A service on blocking sockets, so TCP holds it back when nobody reads: {@code GET /big/<n>}
     * answers n bytes, the i-th 64 KiB block filled with (byte) i.
     */
    private void serveBulk() {
        while (!bulk.isClosed()) {
            try (java.net.Socket socket = bulk.accept()) {
                java.io.BufferedReader head = new java.io.BufferedReader(new java.io.InputStreamReader(
                        socket.getInputStream(), StandardCharsets.ISO_8859_1));
                long size = Long.parseLong(head.readLine().split(" ")[1].substring(5));
                while (!head.readLine().isEmpty()) {
                    // skip the headers
                }
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                byte[] chunk = new byte[65_536];
                for (long sent = 0; sent < size; sent += chunk.length) {
                    Arrays.fill(chunk, (byte) (sent / chunk.length));
                    out.write(chunk, 0, (int) Math.min(chunk.length, size - sent));
                }
                out.flush();
            } catch (java.io.IOException | RuntimeException e) {
                // the next connection
            }
        }
    }

    int browserPort() {
        return controller.front().address().getPort();
    }

    /** "length:sha256" of a body, read to its end. */
    static byte[] digest(InputStream body) throws java.io.IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65_536];
            long length = 0;
            for (int n; (n = body.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                length += n;
            }
            return (length + ":" + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.US_ASCII);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code size} bytes, the i-th 64 KiB block filled with (byte) i, generated as they are read. */
    static InputStream generated(long size) {
        return new InputStream() {
            private long at;

            @Override
            public int read() {
                return at < size ? (int) (at++ / 65_536) & 0xff : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (at >= size) {
                    return -1;
                }
                int n = (int) Math.min(length, size - at);
                for (int i = 0; i < n; i++) {
                    buffer[offset + i] = (byte) (at++ / 65_536);
                }
                return n;
            }
        };
    }

    static String digestText(InputStream body) throws java.io.IOException {
        return new String(digest(body), StandardCharsets.US_ASCII);
    }

    /** A browser WebSocket through the controller. */
    Browser browser(String path, boolean compression) {
        Browser browser = new Browser();
        browser.client = transport.connect(ClientSpec.builder("browser", URI.create("ws://127.0.0.1:" + browserPort()
                + path)).compression(compression).maxMessageSize(MAX_MESSAGE).sendQueueLimit(100_000)
                .pingInterval(Duration.ZERO).build(), browser);
        closing.add(browser.client);
        return browser;
    }

    static final class Browser implements ClientHandler {
        WebSocketClient client;
        final CompletableFuture<WebSocketConnection> open = new CompletableFuture<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

        @Override
        public void onOpen(WebSocketConnection connection) {
            open.complete(connection);
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            received.add(text);
        }

        @Override
        public void onBinary(WebSocketConnection connection, ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.add(bytes);
        }

        @Override
        public void onClose(WebSocketConnection connection, int code, String reason) {
            closed.complete(code + " " + reason);
            client.close();
        }
    }

    static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        for (AutoCloseable c : closing) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        ticks.shutdownNow();
        try {
            bulk.close();
        } catch (java.io.IOException e) {
            // closing anyway
        }
        agent.stop();
        controller.stop();
        services.close();
        transport.close();
    }
}
