package dev.switchboard.itests.peers.kosmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.transport.HttpRequest;
import dev.switchboard.transport.HttpResponse;
import dev.switchboard.transport.JsonFraming;
import dev.switchboard.transport.JsonResult;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kosmi on loopback that speaks seed 000's protocol exactly: {@code POST /} answers the GraphQL
 * mutation {@code anonLogin} with a JWT-shaped token; {@code /gql-ws} speaks graphql-transport-ws,
 * insists on {@code connection_init} with {@code {token, ua: base64(User-Agent), v: "4364", r: ""}}
 * and a token it issued, and answers {@code OnNewMessage}, {@code JoinRoom}, {@code SendMessage}
 * (and {@code SetDisplayName}). A room's messages reach only connections that subscribed to it
 * <em>and</em> joined it; {@code SendMessage} to a room not joined is an {@code error}. The
 * protocol's close codes are used as the protocol defines them.
 *
 * <p>A test injects messages as Kosmi users ({@link #inject}), reads what a bridge sent
 * ({@link #nextSent}) and switches faults on: login down or answering garbage, tokens revoked,
 * {@code connection_ack} withheld, every token refused, an {@code error} for one operation, the
 * answers to an operation held back, malformed {@code next} payloads, connections dropped or
 * closed with a given code. Thread-safe.
 */
public final class KosmiDouble implements AutoCloseable {

    public static final String SUBPROTOCOL = "graphql-transport-ws";
    public static final String APP_VERSION = "4364";
    public static final String WEBSOCKET_PATH = "/gql-ws";

    /** How the login endpoint answers. */
    public enum Login {
        /** A token in {@code {"data":{"anonLogin":{"token":…}}}}. */
        OK,
        /** 503 Service Unavailable. */
        DOWN,
        /** 200 with an HTML page instead of JSON. */
        GARBAGE,
        /** 200 with JSON that holds no token. */
        NO_TOKEN,
        /** 403 with a GraphQL error, as when the service turns a client away. */
        FORBIDDEN
    }

    /** A {@code SendMessage} the double accepted: what the bridge said in a room. */
    public record Sent(String room, String body, String username) {
    }

    /** A {@code connection_init} as it arrived (payload as plain values), with its connection's handshake headers. */
    public record Init(Map<String, Object> payload, String userAgent, String origin) {
    }

    /** A GraphQL operation a client started, in arrival order, with its variables as plain values. */
    public record Operation(String connection, String id, String name, Map<String, Object> variables) {
    }

    private record User(String username, String displayName) {
    }

    private static final Pattern OPERATION = Pattern.compile("\\b(subscription|mutation|query)\\s+(\\w+)");
    private static final String ACKED = "kosmi.acked";
    private static final String INIT = "kosmi.init";
    private static final String USER = "kosmi.user";
    private static final String SUBSCRIPTIONS = "kosmi.subscriptions";
    private static final String JOINED = "kosmi.joined";

    private final WebSocketTransport transport;
    private final JsonFraming json = new JsonFraming();
    private final Map<String, User> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger pongs = new AtomicInteger();
    private final AtomicInteger pings = new AtomicInteger();
    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final List<Init> inits = new CopyOnWriteArrayList<>();
    private final List<Operation> operations = new CopyOnWriteArrayList<>();
    private final Map<String, String> failNext = new ConcurrentHashMap<>();
    private final Set<String> unanswered = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean withholdAck = new AtomicBoolean();
    private final AtomicBoolean refuseTokens = new AtomicBoolean();
    private volatile Login login = Login.OK;
    private volatile Duration initTimeout = Duration.ofSeconds(10);
    private ScheduledExecutorService timer;
    private WebSocketServer server;

    public KosmiDouble(WebSocketTransport transport) {
        this.transport = transport;
    }

    /** Listens on an ephemeral 127.0.0.1 port. */
    public synchronized KosmiDouble start() throws IOException {
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "kosmi-double-timer"));
        server = transport.listen(ServerSpec.builder("kosmi-double").port(0).pingInterval(Duration.ZERO)
                .compression(false).build());
        server.addHttp("/", this::login);
        server.addWebSocket(WEBSOCKET_PATH, List.of(SUBPROTOCOL), new GraphqlWs());
        return this;
    }

    /** Where a bridge logs in: {@code http://127.0.0.1:port/}. */
    public String graphqlUrl() {
        return "http://127.0.0.1:" + server.port() + "/";
    }

    /** Where a bridge opens its WebSocket: {@code ws://127.0.0.1:port/gql-ws}. */
    public String webSocketUrl() {
        return "ws://127.0.0.1:" + server.port() + WEBSOCKET_PATH;
    }

    // --- switches -----------------------------------------------------------------------------

    public void login(Login mode) {
        this.login = mode;
    }

    /** While true, a valid {@code connection_init} gets no {@code connection_ack}. */
    public void withholdAck(boolean withhold) {
        withholdAck.set(withhold);
    }

    /** How long a connection may stay open without {@code connection_init} before 4408. */
    public void initTimeout(Duration timeout) {
        this.initTimeout = timeout;
    }

    /** While true, every {@code connection_init} is closed with 4403, whatever its token, as for a banned client. */
    public void refuseTokens(boolean refuse) {
        refuseTokens.set(refuse);
    }

    /**
     * While true, operations named {@code name} are taken and never answered nor carried out, as by
     * a service too busy to answer in time.
     */
    public void leaveUnanswered(String name, boolean leave) {
        if (leave) {
            unanswered.add(name);
        } else {
            unanswered.remove(name);
        }
    }

    /** Forgets every token issued so far: a {@code connection_init} with one of them is closed with 4403. */
    public void revokeTokens() {
        tokens.clear();
    }

    /** A token this double accepts, as if issued by an earlier login. */
    public String issueToken() {
        int n = users.incrementAndGet();
        String token = jwt(n);
        tokens.put(token, new User("anon-" + n, "Guest " + n));
        return token;
    }

    /** The next operation named {@code name} (JoinRoom, SendMessage, OnNewMessage) is answered with an {@code error}. */
    public void failNext(String name, String message) {
        failNext.put(name, message);
    }

    /** Closes every connection with {@code code}, as the service does when it refuses or restarts. */
    public void closeAll(int code, String reason) {
        server.connections().forEach(c -> c.close(code, reason));
    }

    /** Drops every connection as a service restart does (1012). */
    public void drop() {
        closeAll(1012, "Service Restart");
    }

    /** Sends {@code frame} as it is on every connection, as a service with a bug would. */
    public void broadcastFrame(String frame) {
        server.connections().forEach(c -> c.sendText(frame));
    }

    /** Sends a graphql-transport-ws {@code ping} on every acknowledged connection. */
    public void ping() {
        server.connections().stream().filter(c -> Boolean.TRUE.equals(c.attributes().get(ACKED)))
                .forEach(c -> c.sendText("{\"type\":\"ping\"}"));
    }

    // --- traffic ------------------------------------------------------------------------------

    /**
     * Posts {@code body} in {@code room} as a Kosmi user: every connection that subscribed to the
     * room and joined it receives a {@code next}. Returns how many subscriptions it reached (none on a
     * connection being closed).
     */
    public int inject(String room, String username, String displayName, String body) {
        return deliver(room, newMessage(room, new User(username, displayName), body));
    }

    /** Sends a {@code next} with this raw {@code payload} JSON to every subscription of {@code room}. */
    public int injectRaw(String room, String payload) {
        return deliver(room, json.parse(payload) instanceof JsonResult.Ok<JsonNode> ok ? ok.value()
                : json.toTree(payload));
    }

    /** The next {@code SendMessage} accepted, or null when none came within {@code timeout}. */
    public Sent nextSent(Duration timeout) throws InterruptedException {
        return sent.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code SendMessage}s accepted and not yet taken by {@link #nextSent}. */
    public List<Sent> pendingSent() {
        return List.copyOf(sent);
    }

    /** Subscriptions that would receive a message injected in {@code room} now. */
    public int listeners(String room) {
        int count = 0;
        for (WebSocketConnection connection : server.connections()) {
            if (joined(connection).contains(room)) {
                count += (int) subscriptions(connection).values().stream().filter(room::equals).count();
            }
        }
        return count;
    }

    public int logins() {
        return logins.get();
    }

    public List<Init> inits() {
        return List.copyOf(inits);
    }

    public List<Operation> operations() {
        return List.copyOf(operations);
    }

    /** Names of the operations received so far, in order. */
    public List<String> operationNames() {
        return operations.stream().map(Operation::name).toList();
    }

    /** {@code pong}s received in answer to {@link #ping()}. */
    public int pongs() {
        return pongs.get();
    }

    /** {@code ping}s received from clients (each answered with a {@code pong}). */
    public int pings() {
        return pings.get();
    }

    public int connections() {
        return server.connections().size();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    // --- HTTP login ---------------------------------------------------------------------------

    private void login(HttpRequest request, HttpResponse response) throws IOException {
        if (!"POST".equals(request.method())) {
            response.send(405, "application/json", errors("Only POST is supported"));
            return;
        }
        String body = new String(request.body().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode query = json.parse(body) instanceof JsonResult.Ok<JsonNode> ok ? ok.value().path("query") : null;
        if (query == null || !query.isTextual() || !query.textValue().contains("anonLogin")) {
            response.send(400, "application/json", errors("Expected the anonLogin mutation"));
            return;
        }
        logins.incrementAndGet();
        switch (login) {
            case DOWN -> response.send(503, "text/plain", "Service Unavailable".getBytes(StandardCharsets.UTF_8));
            case GARBAGE -> response.send(200, "text/html", "<html><body>Kosmi is down for maintenance</body></html>"
                    .getBytes(StandardCharsets.UTF_8));
            case NO_TOKEN -> response.send(200, "application/json",
                    "{\"data\":{\"anonLogin\":null}}".getBytes(StandardCharsets.UTF_8));
            case FORBIDDEN -> response.send(403, "application/json", errors("Forbidden"));
            case OK -> response.send(200, "application/json", json.writeBytes(
                    Map.of("data", Map.of("anonLogin", Map.of("token", issueToken())))));
        }
    }

    private byte[] errors(String message) {
        return json.writeBytes(Map.of("errors", List.of(Map.of("message", message))));
    }

    /** Shaped like a JWT (header.claims.signature); only this double can tell it is valid. */
    private static String jwt(int user) {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        String header = encoder.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = encoder.encodeToString(("{\"sub\":\"anon-" + user + "\",\"anon\":true}")
                .getBytes(StandardCharsets.UTF_8));
        String signature = encoder.encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + "." + signature;
    }

    // --- graphql-transport-ws -----------------------------------------------------------------

    private final class GraphqlWs implements WebSocketHandler {

        @Override
        public void onOpen(WebSocketConnection connection) {
            if (!SUBPROTOCOL.equals(connection.subprotocol())) {
                connection.close(4406, "Subprotocol not acceptable");
                return;
            }
            timer.schedule(() -> {
                if (connection.isOpen() && !connection.attributes().containsKey(INIT)) {
                    connection.close(4408, "Connection initialisation timeout");
                }
            }, initTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            if (!connection.isOpen()) {
                // closed by the service (a restart, a refusal): it handles nothing more from this client
                return;
            }
            JsonResult<JsonNode> parsed = json.parse(text);
            if (!(parsed instanceof JsonResult.Ok<JsonNode> ok) || !ok.value().path("type").isTextual()) {
                connection.close(4400, "Invalid message");
                return;
            }
            JsonNode message = ok.value();
            switch (message.get("type").textValue()) {
                case "connection_init" -> init(connection, message.path("payload"));
                case "subscribe" -> subscribe(connection, message);
                case "complete" -> subscriptions(connection).remove(message.path("id").asText());
                case "ping" -> {
                    pings.incrementAndGet();
                    connection.sendText("{\"type\":\"pong\"}");
                }
                case "pong" -> pongs.incrementAndGet();
                default -> connection.close(4400, "Invalid message type: " + message.get("type").textValue());
            }
        }

        private void init(WebSocketConnection connection, JsonNode payload) {
            if (connection.attributes().putIfAbsent(INIT, payload) != null) {
                connection.close(4429, "Too many initialisation requests");
                return;
            }
            String userAgent = header(connection, "User-Agent");
            inits.add(new Init(plain(payload), userAgent, header(connection, "Origin")));
            String expectedUa = Base64.getEncoder().encodeToString(userAgent.getBytes(StandardCharsets.UTF_8));
            if (!payload.isObject() || !payload.path("token").isTextual() || !expectedUa.equals(payload.path("ua").asText(null))
                    || !APP_VERSION.equals(payload.path("v").asText(null)) || !"".equals(payload.path("r").asText(null))) {
                connection.close(4400, "Invalid connection_init payload");
                return;
            }
            User user = tokens.get(payload.get("token").textValue());
            if (user == null || refuseTokens.get()) {
                connection.close(4403, "Forbidden");
                return;
            }
            connection.attributes().put(USER, user);
            if (!withholdAck.get()) {
                connection.attributes().put(ACKED, true);
                connection.sendText("{\"type\":\"connection_ack\"}");
            }
        }

        private void subscribe(WebSocketConnection connection, JsonNode message) {
            if (!Boolean.TRUE.equals(connection.attributes().get(ACKED))) {
                connection.close(4401, "Unauthorized");
                return;
            }
            String id = message.path("id").asText("");
            JsonNode payload = message.path("payload");
            Matcher named = OPERATION.matcher(payload.path("query").asText(""));
            if (id.isEmpty() || !named.find()) {
                connection.close(4400, "Invalid subscribe message");
                return;
            }
            Map<String, String> subscriptions = subscriptions(connection);
            if (subscriptions.containsKey(id)) {
                connection.close(4409, "Subscriber for " + id + " already exists");
                return;
            }
            String name = named.group(2);
            JsonNode variables = payload.path("variables");
            operations.add(new Operation(connection.id(), id, name, plain(variables)));
            if (unanswered.contains(name)) {
                return;
            }
            String failure = failNext.remove(name);
            if (failure != null) {
                error(connection, id, failure);
                return;
            }
            switch (name) {
                case "OnNewMessage" -> {
                    String room = variables.path("roomId").asText("");
                    if (!room.startsWith("@")) {
                        error(connection, id, "Room not found: " + room);
                    } else {
                        subscriptions.put(id, room);
                    }
                }
                case "JoinRoom" -> {
                    String room = variables.path("id").asText("");
                    if (!room.startsWith("@")) {
                        error(connection, id, "Room not found: " + room);
                    } else {
                        joined(connection).add(room);
                        result(connection, id, "joinRoom");
                    }
                }
                case "SendMessage" -> send(connection, id, variables);
                case "SetDisplayName" -> {
                    User user = (User) connection.attributes().get(USER);
                    User renamed = new User(user.username(), variables.path("displayName").asText(user.displayName()));
                    connection.attributes().put(USER, renamed);
                    result(connection, id, "setDisplayName");
                }
                default -> error(connection, id, "Cannot query field \"" + name + "\"");
            }
        }

        private void send(WebSocketConnection connection, String id, JsonNode variables) {
            String room = variables.path("roomId").asText("");
            JsonNode body = variables.path("body");
            if (!body.isTextual()) {
                error(connection, id, "Variable \"$body\" of required type \"String!\" was not provided.");
                return;
            }
            if (!joined(connection).contains(room)) {
                error(connection, id, "Not a member of room " + room + ": join it first");
                return;
            }
            User user = (User) connection.attributes().get(USER);
            sent.add(new Sent(room, body.textValue(), user.username()));
            // the service broadcasts before it answers: the sender may see its echo before its ok
            deliver(room, newMessage(room, user, body.textValue()));
            result(connection, id, "sendMessage");
        }

        private void result(WebSocketConnection connection, String id, String field) {
            connection.sendText(frame(id, "next", Map.of("data", Map.of(field, Map.of("ok", true)))));
            connection.sendText(frame(id, "complete", null));
        }

        private void error(WebSocketConnection connection, String id, String message) {
            connection.sendText(frame(id, "error", List.of(Map.of("message", message))));
        }

        @Override
        public void onClose(WebSocketConnection connection, int code, String reason) {
            subscriptions(connection).clear();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> plain(JsonNode object) {
        return object.isObject() ? (Map<String, Object>) json.toPlain(object) : Map.of();
    }

    /** {@code {id, type, payload}} in the order graphql-transport-ws servers write them. */
    private String frame(String id, String type, Object payload) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("id", id);
        frame.put("type", type);
        if (payload != null) {
            frame.put("payload", payload);
        }
        return json.write(frame);
    }

    // --- delivery -----------------------------------------------------------------------------

    private JsonNode newMessage(String room, User user, String body) {
        Map<String, Object> userNode = new LinkedHashMap<>();
        userNode.put("displayName", user.displayName());
        userNode.put("username", user.username());
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("body", body);
        message.put("time", Instant.now().getEpochSecond());
        message.put("user", userNode);
        return json.toTree(Map.of("data", Map.of("newMessage", message)));
    }

    private int deliver(String room, JsonNode payload) {
        int reached = 0;
        for (WebSocketConnection connection : server.connections()) {
            // a connection being closed takes no more messages: they were never delivered
            if (!connection.isOpen() || !joined(connection).contains(room)) {
                continue;
            }
            List<String> ids = new ArrayList<>();
            subscriptions(connection).forEach((id, subscribed) -> {
                if (subscribed.equals(room)) {
                    ids.add(id);
                }
            });
            for (String id : ids) {
                ObjectNode next = json.mapper().createObjectNode();
                next.put("id", id);
                next.put("type", "next");
                next.set("payload", payload);
                connection.sendText(json.write(next));
                reached++;
            }
        }
        return reached;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> subscriptions(WebSocketConnection connection) {
        return (Map<String, String>) connection.attributes().computeIfAbsent(SUBSCRIPTIONS,
                key -> new ConcurrentHashMap<String, String>());
    }

    @SuppressWarnings("unchecked")
    private static Set<String> joined(WebSocketConnection connection) {
        return (Set<String>) connection.attributes().computeIfAbsent(JOINED, key -> ConcurrentHashMap.newKeySet());
    }

    private static String header(WebSocketConnection connection, String name) {
        for (Map.Entry<String, List<String>> header : connection.handshakeHeaders().entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return "";
    }
}
