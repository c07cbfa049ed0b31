package dev.switchboard.itests.peers.kosmi;

import dev.switchboard.itests.peers.TextFrames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hand-written graphql-transport-ws client on the JDK's WebSocket, for tests that talk to a
 * {@link KosmiDouble} without Switchboard: to check the double itself and to measure its latency
 * to a direct subscriber. It queues every text frame it receives and remembers how it was closed.
 */
public final class KosmiRawClient implements AutoCloseable {

    public static final String USER_AGENT = "KosmiRawClient/1.0";
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    // HTTP/1.1: the JDK would otherwise offer an h2c upgrade, which Grizzly answers by not reading the body
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final TextFrames listener = new TextFrames(frames::add);
    private WebSocket socket;

    /** Logs in anonymously at {@code graphqlUrl}; returns the token. */
    public String login(String graphqlUrl) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(graphqlUrl))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"mutation { anonLogin { token } }\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher token = TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !token.find()) {
            throw new IllegalStateException("login failed: " + response.statusCode() + " " + response.body());
        }
        return token.group(1);
    }

    /** Opens the WebSocket with the graphql-transport-ws subprotocol. */
    public KosmiRawClient connect(String webSocketUrl) throws Exception {
        socket = http.newWebSocketBuilder().subprotocols(KosmiDouble.SUBPROTOCOL).header("User-Agent", USER_AGENT)
                .connectTimeout(TIMEOUT).buildAsync(URI.create(webSocketUrl), listener)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return this;
    }

    /** {@code connection_init} as seed 000 writes it, for this client's User-Agent. */
    public void init(String token) {
        String ua = Base64.getEncoder().encodeToString(USER_AGENT.getBytes(StandardCharsets.UTF_8));
        send("{\"type\":\"connection_init\",\"payload\":{\"token\":\"" + token + "\",\"ua\":\"" + ua
                + "\",\"v\":\"" + KosmiDouble.APP_VERSION + "\",\"r\":\"\"}}");
    }

    public void subscribe(String id, String room) {
        send("{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription OnNewMessage($roomId: "
                + "String!) { newMessage(roomId: $roomId) { body time user { displayName username } } }\","
                + "\"variables\":{\"roomId\":\"" + room + "\"}}}");
    }

    public void join(String id, String room) {
        send("{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"payload\":{\"query\":\"mutation JoinRoom($id: String!) "
                + "{ joinRoom(id: $id) { ok } }\",\"variables\":{\"id\":\"" + room + "\"}}}");
    }

    public void sendMessage(String id, String room, String body) {
        send("{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"payload\":{\"query\":\"mutation SendMessage($body: "
                + "String!, $roomId: String!) { sendMessage(body: $body, roomId: $roomId) { ok } }\","
                + "\"variables\":{\"body\":\"" + body + "\",\"roomId\":\"" + room + "\"}}}");
    }

    public void send(String frame) {
        try {
            socket.sendText(frame, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send " + frame, e);
        }
    }

    /** The next text frame, or null when none came within {@code timeout}. */
    public String poll(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next text frame, waiting as long as it takes. */
    public String take() throws InterruptedException {
        return frames.take();
    }

    /** The close code the double sent, once it closed the connection. */
    public CompletableFuture<Integer> closed() {
        return listener.closed();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
    }
}
