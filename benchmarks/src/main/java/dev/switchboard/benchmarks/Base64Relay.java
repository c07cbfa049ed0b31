package dev.switchboard.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.server.Server;

/**
 * The "simple approach" the relay's design started from, as a baseline: every WebSocket frame
 * crosses the tunnel base64-encoded in a JSON message on the one control WebSocket between relay
 * server and relay client ({@code WebSocketUpgrade}, {@code WebSocketFrame}, {@code WebSocketClose}),
 * on a plain Tyrus server and client with Jackson. Server and client run in this one JVM and talk
 * over loopback, as the relay's one-JVM setup does. Browsers connect to {@code ws://127.0.0.1:PORT/echo};
 * the client opens a WebSocket to {@code --service PORT} for each. Benchmark code only: no
 * authentication, no HTTP, no limits. Prints {@code {"ready":true,"port":N,"pid":P}}.
 */
public final class Base64Relay {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 4 << 20;

    /** Relay server state: browser sessions by connection id, and the server end of the control channel. */
    private static final Map<String, Session> BROWSERS = new ConcurrentHashMap<>();
    private static volatile Session serverControl;

    /** Relay client state: service sessions (or frames waiting for one) by connection id. */
    private static final Map<String, Local> LOCALS = new ConcurrentHashMap<>();
    private static final ExecutorService CONNECTING = Executors.newCachedThreadPool();
    private static ClientManager client;
    private static Session clientControl;
    private static URI service;

    private Base64Relay() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Figures.options(args);
        service = URI.create("ws://127.0.0.1:" + Integer.parseInt(options.get("service")) + "/echo");
        int port = Distribution.freePort();
        Server server = new Server("127.0.0.1", port, "/", Map.of(), Endpoints.class);
        server.start();
        client = ClientManager.createClient();
        clientControl = client.connectToServer(new ClientControl(), ClientEndpointConfig.Builder.create().build(),
                URI.create("ws://127.0.0.1:" + port + "/_relay/control"));
        System.out.println("{\"ready\":true,\"port\":" + port + ",\"pid\":" + ProcessHandle.current().pid() + "}");
        System.out.flush();
        Thread.currentThread().join();
    }

    static String message(String type, String id, ByteBuffer data) {
        ObjectNode message = JSON.createObjectNode().put("type", type).put("connection_id", id);
        if (data != null) {
            message.put("data", Base64.getEncoder().encodeToString(toArray(data)));
        }
        return message.toString();
    }

    private static byte[] toArray(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return bytes;
    }

    /**
     * Queues a text message on a session shared by several threads. Asynchronous: a blocking send
     * inside a Tyrus message handler holds the thread that reads the next frames.
     */
    static void sendText(Session session, String text) {
        session.getAsyncRemote().sendText(text);
    }

    static void sendBinary(Session session, byte[] bytes) {
        session.getAsyncRemote().sendBinary(ByteBuffer.wrap(bytes));
    }

    static void closeQuietly(Session session) {
        try {
            session.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** The relay server's two endpoints on the plain Tyrus server. */
    public static final class Endpoints implements ServerApplicationConfig {
        @Override
        public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
            return Set.of(ServerEndpointConfig.Builder.create(Browser.class, "/echo").build(),
                    ServerEndpointConfig.Builder.create(ServerControl.class, "/_relay/control").build());
        }

        @Override
        public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
            return Set.of();
        }
    }

    /** A browser's WebSocket on the relay server: each frame goes out as JSON on the control channel. */
    public static final class Browser extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            String id = UUID.randomUUID().toString();
            session.getUserProperties().put("id", id);
            session.setMaxBinaryMessageBufferSize(MAX_MESSAGE);
            BROWSERS.put(id, session);
            sendText(serverControl, message("WebSocketUpgrade", id, null));
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data ->
                    sendText(serverControl, message("WebSocketFrame", id, data)));
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            String id = (String) session.getUserProperties().get("id");
            if (BROWSERS.remove(id) != null) {
                sendText(serverControl, message("WebSocketClose", id, null));
            }
        }
    }

    /** The server end of the control channel: frames from the client go to their browser. */
    public static final class ServerControl extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.setMaxTextMessageBufferSize(MAX_MESSAGE);
            serverControl = session;
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                JsonNode message = read(text);
                Session browser = BROWSERS.get(message.path("connection_id").asText());
                if (browser == null) {
                    return;
                }
                if (message.path("type").asText().equals("WebSocketFrame")) {
                    sendBinary(browser, Base64.getDecoder().decode(message.path("data").asText()));
                } else if (message.path("type").asText().equals("WebSocketClose")) {
                    closeQuietly(browser);
                }
            });
        }
    }

    /** The client end of the control channel: opens, feeds and closes service connections. */
    static final class ClientControl extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.setMaxTextMessageBufferSize(MAX_MESSAGE);
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                JsonNode message = read(text);
                String id = message.path("connection_id").asText();
                switch (message.path("type").asText()) {
                    case "WebSocketUpgrade" -> {
                        Local local = new Local(id);
                        LOCALS.put(id, local);
                        CONNECTING.execute(local::connect);
                    }
                    case "WebSocketFrame" -> {
                        Local local = LOCALS.get(id);
                        if (local != null) {
                            local.send(Base64.getDecoder().decode(message.path("data").asText()));
                        }
                    }
                    case "WebSocketClose" -> {
                        Local local = LOCALS.remove(id);
                        if (local != null) {
                            local.close();
                        }
                    }
                    default -> { }
                }
            });
        }
    }

    /** One service connection of the client; frames that arrive before it is open wait in order. */
    static final class Local extends Endpoint {
        private final String id;
        private final List<byte[]> waiting = new ArrayList<>();
        private Session session;
        private boolean closed;

        Local(String id) {
            this.id = id;
        }

        void connect() {
            try {
                client.connectToServer(this, ClientEndpointConfig.Builder.create().build(), service);
            } catch (Exception e) {
                LOCALS.remove(id);
                sendText(clientControl, message("WebSocketClose", id, null));
            }
        }

        @Override
        public void onOpen(Session opened, EndpointConfig config) {
            opened.setMaxBinaryMessageBufferSize(MAX_MESSAGE);
            opened.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data ->
                    sendText(clientControl, message("WebSocketFrame", id, data)));
            synchronized (this) {
                session = opened;
                if (closed) {
                    closeQuietly(opened);
                    return;
                }
                waiting.forEach(bytes -> sendBinary(opened, bytes));
                waiting.clear();
            }
        }

        /** Under this lock, so that a frame never overtakes the backlog. */
        synchronized void send(byte[] bytes) {
            if (session == null) {
                waiting.add(bytes);
            } else {
                sendBinary(session, bytes);
            }
        }

        synchronized void close() {
            closed = true;
            if (session != null) {
                closeQuietly(session);
            }
        }
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON on the control channel", e);
        }
    }
}
