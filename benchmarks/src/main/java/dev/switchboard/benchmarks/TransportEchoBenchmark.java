package dev.switchboard.benchmarks;

import dev.switchboard.transport.ClientHandler;
import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketClient;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.server.Server;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Loopback echo throughput: a client sends a window of text messages, a server echoes each, the
 * client waits for every echo. {@code stack=switchboard} goes through our transport: the client
 * and server of the {@link WebSocketTransport} service the transport bundle registers, in an
 * {@link EmbeddedFramework} (as an adapter gets it); {@code stack=tyrus} is the baseline, a plain
 * Tyrus client and a plain Tyrus server on the class path with nothing of ours in between.
 * Compression is off on both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransportEchoBenchmark {

    static final int WINDOW = 32;

    @Param({"100", "65536"})
    public int size;

    @Param({"switchboard", "tyrus"})
    public String stack;

    private final Semaphore echoes = new Semaphore(0);
    private String payload;
    private Echo echo;

    /** One way of sending a message to an echo server. */
    interface Echo extends AutoCloseable {
        void send(String text) throws Exception;

        @Override
        void close() throws Exception;
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        Random random = new Random(42);
        StringBuilder text = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        payload = text.toString();
        echo = "tyrus".equals(stack) ? new PlainTyrusEcho(echoes) : new SwitchboardEcho(echoes);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        echo.close();
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public void echo() throws Exception {
        for (int i = 0; i < WINDOW; i++) {
            echo.send(payload);
        }
        if (!echoes.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("echoes did not come back");
        }
    }

    /** Our transport's server and reconnecting client, from its OSGi service. */
    static final class SwitchboardEcho implements Echo {
        private final EmbeddedFramework framework = EmbeddedFramework.start();
        private final WebSocketServer server;
        private final WebSocketClient client;

        SwitchboardEcho(Semaphore echoes) throws Exception {
            WebSocketTransport transport = framework.service(WebSocketTransport.class);
            server = transport.listen(ServerSpec.builder("bench-echo").maxMessageSize(1 << 20).compression(false)
                    .sendQueueLimit(1 << 16).pingInterval(Duration.ZERO).build());
            server.addWebSocket("/echo", new WebSocketHandler() {
                @Override
                public void onText(WebSocketConnection connection, String text) {
                    connection.sendText(text);
                }
            });
            Semaphore open = new Semaphore(0);
            client = transport.connect(ClientSpec.builder("bench-client", URI.create("ws://127.0.0.1:" + server.port() + "/echo"))
                    .maxMessageSize(1 << 20).compression(false).sendQueueLimit(1 << 16).pingInterval(Duration.ZERO).build(),
                    new ClientHandler() {
                        @Override
                        public void onOpen(WebSocketConnection connection) {
                            open.release();
                        }

                        @Override
                        public void onText(WebSocketConnection connection, String text) {
                            echoes.release();
                        }
                    });
            if (!open.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("switchboard client did not connect");
            }
        }

        @Override
        public void send(String text) {
            client.sendText(text);
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.close();
            framework.close();
        }
    }

    /** The baseline: Tyrus's own server and client, programmatic endpoints, async sends. */
    static final class PlainTyrusEcho implements Echo {
        private final Server server;
        private final ClientManager client;
        private final Session session;

        PlainTyrusEcho(Semaphore echoes) throws Exception {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            server = new Server("127.0.0.1", port, "/", Map.of(), PlainEchoConfig.class);
            server.start();
            client = ClientManager.createClient();
            session = client.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session s, EndpointConfig config) {
                    s.setMaxTextMessageBufferSize(1 << 20);
                    s.addMessageHandler(String.class, text -> echoes.release());
                }
            }, ClientEndpointConfig.Builder.create().build(), URI.create("ws://127.0.0.1:" + port + "/echo"));
        }

        @Override
        public void send(String text) {
            session.getAsyncRemote().sendText(text);
        }

        @Override
        public void close() throws Exception {
            session.close();
            client.shutdown();
            server.stop();
        }
    }

    /** Deploys the baseline echo endpoint on the plain Tyrus server. */
    public static final class PlainEchoConfig implements jakarta.websocket.server.ServerApplicationConfig {
        @Override
        public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
            return Set.of(ServerEndpointConfig.Builder.create(PlainEchoEndpoint.class, "/echo").build());
        }

        @Override
        public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
            return Set.of();
        }
    }

    /** Echoes every text message back. */
    public static final class PlainEchoEndpoint extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.setMaxTextMessageBufferSize(1 << 20);
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> session.getAsyncRemote().sendText(text));
        }
    }
}
