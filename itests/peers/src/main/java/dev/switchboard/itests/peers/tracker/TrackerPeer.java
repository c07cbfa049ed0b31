package dev.switchboard.itests.peers.tracker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.transport.JsonFraming;
import dev.switchboard.transport.JsonResult;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback task tracker speaking the tracker's agent protocol from the server side, for tests. It listens
 * on 127.0.0.1 (ephemeral port) at {@code /ws}, checks the token in {@code auth}, answers
 * {@code auth.ok} or {@code auth.error} in the spelling and field convention the test chose, acks
 * heartbeats (cycling through the three ack spellings), pushes events to authenticated agents
 * (with or without id, named by {@code type} or {@code event}, duplicates on purpose), records
 * every frame it receives, and drops connections on demand.
 */
public final class TrackerPeer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrackerPeer.class);
    private static final List<String> HEARTBEAT_ACKS = List.of("agent.heartbeat.ack", "heartbeat.ack", "heartbeat_ack");

    /** Which field names the message type in what the peer sends. */
    public enum Convention {
        /** {@code type}, as TRACKER-PROTOCOL.md does. */
        TYPE,
        /** {@code event}, as WEBSOCKET-PROTOCOL.md does. */
        EVENT
    }

    private final String token;
    private final JsonFraming json = new JsonFraming();
    private final WebSocketServer server;
    private final Set<WebSocketConnection> authenticated = ConcurrentHashMap.newKeySet();
    private final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger authentications = new AtomicInteger();
    private final AtomicInteger rejections = new AtomicInteger();
    private final AtomicInteger heartbeats = new AtomicInteger();
    private final AtomicInteger dropOnOpen = new AtomicInteger();

    private volatile Convention convention = Convention.TYPE;
    private volatile boolean underscores;
    private volatile String authDataField = "data";
    private volatile String onlineField = "online";
    private volatile boolean authOkWithoutData;
    private volatile String lobbyChatId = "lobby-chat";
    private volatile List<Map<String, Object>> projects = List.of(
            project("p1", "alpha", "Alpha", "alpha-chat"), project("p2", "beta", "Beta", null));
    private volatile List<String> online = List.of("ada", "bob");

    /** Listens on 127.0.0.1 at an ephemeral port; agents must authenticate with {@code token}. */
    public TrackerPeer(WebSocketTransport transport, String token) throws IOException {
        this.token = Objects.requireNonNull(token, "token");
        this.server = transport.listen(ServerSpec.builder("tracker-peer").pingInterval(Duration.ZERO)
                // bursts of thousands of events (the dedup bound) must not trip the slow-client limit
                .compression(false).sendQueueLimit(100_000).build());
        server.addWebSocket("/ws", new Handler());
    }

    /** {@code http://127.0.0.1:<port>}: an agent derives {@link #webSocketUrl()} from it (http becomes ws, /ws appended). */
    public String trackerUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public String webSocketUrl() {
        return "ws://127.0.0.1:" + server.port() + "/ws";
    }

    // --- how the peer speaks ------------------------------------------------------------------------

    /** Names the type of every message the peer sends in this field. */
    public TrackerPeer speak(Convention field) {
        this.convention = field;
        return this;
    }

    /** {@code auth_ok}, {@code auth_error} instead of {@code auth.ok}, {@code auth.error}. */
    public TrackerPeer underscoreSpelling(boolean on) {
        this.underscores = on;
        return this;
    }

    /** {@code init} instead of {@code data} for the auth.ok payload, {@code agents_online} instead of {@code online}. */
    public TrackerPeer alternativeAuthFields(boolean on) {
        this.authDataField = on ? "init" : "data";
        this.onlineField = on ? "agents_online" : "online";
        return this;
    }

    /** Bad input for the agent: an auth.ok that carries no data at all. */
    public TrackerPeer authOkWithoutData(boolean on) {
        this.authOkWithoutData = on;
        return this;
    }

    public TrackerPeer lobby(String chatId, List<Map<String, Object>> projectList, List<String> onlineMembers) {
        this.lobbyChatId = chatId;
        this.projects = List.copyOf(projectList);
        this.online = List.copyOf(onlineMembers);
        return this;
    }

    public static Map<String, Object> project(String id, String slug, String name, String chatId) {
        Map<String, Object> project = new LinkedHashMap<>();
        project.put("id", id);
        project.put("slug", slug);
        project.put("name", name);
        if (chatId != null) {
            project.put("chat_id", chatId);
        }
        return project;
    }

    // --- what the peer does --------------------------------------------------------------------------

    /**
     * Sends an event that happens now to every authenticated agent: {@code {type|event, id?, data, ts}}.
     *
     * @param id null for an event without id
     * @return how many agents it was sent to
     */
    public int push(String type, String id, Map<String, ?> data) {
        return push(type, id, data, Instant.now());
    }

    /** As {@link #push(String, String, Map)}, stamped {@code ts} as a tracker stamps an event it delivers late. */
    public int push(String type, String id, Map<String, ?> data, Instant ts) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put(field(), type);
        if (id != null) {
            event.put("id", id);
        }
        event.put("data", data);
        event.put("ts", ts.toEpochMilli());
        return pushRaw(json.write(event));
    }

    /** Sends a frame as it is (bad inputs: not JSON, no type, oversize) to every authenticated agent. */
    public int pushRaw(String frame) {
        int reached = 0;
        for (WebSocketConnection connection : authenticated) {
            if (connection.isOpen()) {
                connection.sendText(frame);
                reached++;
            }
        }
        return reached;
    }

    /** Drops every open connection with 1011, as a tracker that restarts would. */
    public void dropAll() {
        LOG.info("tracker peer drops {} connections", server.connections().size());
        for (WebSocketConnection connection : server.connections()) {
            connection.close(1011, "Tracker restarting");
        }
    }

    /** Closes the next {@code count} connections as soon as they open, before any auth. */
    public void dropNextConnections(int count) {
        dropOnOpen.set(count);
    }

    // --- what the peer saw -------------------------------------------------------------------------

    /** Every JSON frame received, in order, as plain values. */
    public List<Map<String, Object>> received() {
        return List.copyOf(received);
    }

    /** Received frames whose {@code type} is {@code type}. */
    public List<Map<String, Object>> received(String type) {
        return received.stream().filter(frame -> type.equals(frame.get("type"))).toList();
    }

    /** The event ids named by the acks received, in order. */
    public List<Object> acks() {
        return received("ack").stream().map(frame -> frame.get("event_id")).toList();
    }

    public List<Map<String, Object>> chatSends() {
        return received("chat.send");
    }

    /** The {@code status} of every heartbeat received, in order. */
    public List<Object> heartbeatStatuses() {
        return received("heartbeat").stream().map(frame -> frame.get("status")).toList();
    }

    public int connections() {
        return connections.get();
    }

    public int openConnections() {
        return server.connections().size();
    }

    public int authentications() {
        return authentications.get();
    }

    public int rejections() {
        return rejections.get();
    }

    public int authenticatedAgents() {
        return (int) authenticated.stream().filter(WebSocketConnection::isOpen).count();
    }

    @Override
    public void close() {
        server.close();
    }

    private String field() {
        return convention == Convention.EVENT ? "event" : "type";
    }

    private void reply(WebSocketConnection connection, String type, Map<String, Object> fields) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put(field(), type);
        message.putAll(fields);
        connection.sendText(json.write(message));
    }

    private final class Handler implements WebSocketHandler {

        @Override
        public void onOpen(WebSocketConnection connection) {
            connections.incrementAndGet();
            if (dropOnOpen.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                connection.close(1011, "Tracker not ready");
            }
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            JsonResult<JsonNode> parsed = json.parse(text);
            if (!(parsed instanceof JsonResult.Ok<JsonNode> ok) || !ok.value().isObject()) {
                received.add(Map.of("raw", text));
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> frame = (Map<String, Object>) json.toPlain(ok.value());
            received.add(frame);
            if (!connection.isOpen()) {
                // sent before the agent read our Close: recorded, as a tracker would, but not answered
                return;
            }
            Object type = frame.get("type") != null ? frame.get("type") : frame.get("event");
            if ("auth".equals(type)) {
                authenticate(connection, frame.get("token"));
            } else if ("heartbeat".equals(type) && authenticated.contains(connection)) {
                int n = heartbeats.getAndIncrement();
                reply(connection, HEARTBEAT_ACKS.get(n % HEARTBEAT_ACKS.size()), Map.of());
            }
        }

        private void authenticate(WebSocketConnection connection, Object offered) {
            if (!token.equals(offered)) {
                rejections.incrementAndGet();
                reply(connection, underscores ? "auth_error" : "auth.error", Map.of("message", "Invalid token"));
                return;
            }
            authentications.incrementAndGet();
            authenticated.add(connection);
            Map<String, Object> fields = new LinkedHashMap<>();
            if (!authOkWithoutData) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("lobby_chat_id", lobbyChatId);
                data.put("projects", new ArrayList<>(projects));
                data.put(onlineField, online);
                fields.put(authDataField, data);
            }
            reply(connection, underscores ? "auth_ok" : "auth.ok", fields);
        }

        @Override
        public void onClose(WebSocketConnection connection, int code, String reason) {
            authenticated.remove(connection);
        }
    }
}
