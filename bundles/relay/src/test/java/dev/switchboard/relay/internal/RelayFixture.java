package dev.switchboard.relay.internal;

import static org.junit.jupiter.api.Assertions.fail;

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
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A relay on loopback: a local service (a WebSocket echo at {@code /echo}, closing with the code a
 * {@code close:<code>} message names, and HTTP at {@code /http/}), a relay server and a relay
 * client exposing the service as tunnel {@code app} (also the default tunnel, so a browser
 * reaching 127.0.0.1 finds it).
 */
final class RelayFixture implements AutoCloseable {

    static final String TOKEN = "s3cret-token-for-tests";
    static final int MAX_MESSAGE = 17 << 20;

    final TyrusTransport transport = new TyrusTransport();
    final WebSocketServer service;
    final RelayServerAdapter server = new RelayServerAdapter(transport);
    final RelayClientAdapter client = new RelayClientAdapter(transport);

    RelayFixture() throws Exception {
        this(Duration.ofSeconds(5));
    }

    /** A relay whose server answers 504, and closes connections without a complete head, after {@code requestTimeout}. */
    RelayFixture(Duration requestTimeout) throws Exception {
        service = transport.listen(ServerSpec.builder("service").maxMessageSize(MAX_MESSAGE).build());
        service.addWebSocket("/echo", new WebSocketHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                if (text.startsWith("close:")) {
                    connection.close(Integer.parseInt(text.substring(6)), "asked to");
                } else {
                    connection.sendText(text);
                }
            }

            @Override
            public void onBinary(WebSocketConnection connection, ByteBuffer data) {
                connection.sendBinary(data);
            }
        });
        server.start(serverSettings(List.of(TOKEN), requestTimeout));
        client.start(clientSettings("app", TOKEN, service.port()));
        await("the tunnel registers", () -> client.status().state() == State.ONLINE);
    }

    static RelayServer.Settings serverSettings(List<String> tokens) {
        return serverSettings(tokens, Duration.ofSeconds(5));
    }

    static RelayServer.Settings serverSettings(List<String> tokens, Duration requestTimeout) {
        return new RelayServer.Settings("relay-server", "127.0.0.1", 0, "localhost", "app", tokens, 10, 2000,
                requestTimeout, true);
    }

    RelayClient.Settings clientSettings(String tunnel, String token, int localPort) {
        return new RelayClient.Settings("relay-" + tunnel, URI.create("ws://127.0.0.1:" + relayPort()
                + RelayServer.CONTROL_PATH), token, tunnel, URI.create("http://127.0.0.1:" + localPort));
    }

    int relayPort() {
        return server.server().port();
    }

    /** A browser-side WebSocket through the relay, collecting what arrives. */
    Browser browser(boolean compression) throws InterruptedException {
        return browser(compression, Duration.ZERO);
    }

    /** As {@link #browser(boolean)}, pinging every {@code pingInterval} (zero: never). */
    Browser browser(boolean compression, Duration pingInterval) throws InterruptedException {
        Browser browser = new Browser();
        browser.client = transport.connect(ClientSpec.builder("browser", URI.create("ws://127.0.0.1:" + relayPort()
                + "/echo")).compression(compression).maxMessageSize(MAX_MESSAGE).pingInterval(pingInterval).build(),
                browser);
        await("the browser's WebSocket opens", () -> browser.connection != null);
        return browser;
    }

    static final class Browser implements ClientHandler {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        volatile WebSocketConnection connection;
        volatile int closeCode = -1;
        WebSocketClient client;

        @Override
        public void onOpen(WebSocketConnection opened) {
            connection = opened;
        }

        @Override
        public void onText(WebSocketConnection c, String text) {
            received.add(text);
        }

        @Override
        public void onBinary(WebSocketConnection c, ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.add(bytes);
        }

        @Override
        public void onClose(WebSocketConnection c, int code, String reason) {
            closeCode = code;
            client.close();
        }

        Object next() throws InterruptedException {
            Object message = received.poll(20, TimeUnit.SECONDS);
            if (message == null) {
                fail("no message within 20 s");
            }
            return message;
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream inside a head: " + head);
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        client.stop();
        server.stop();
        transport.close();
    }
}
