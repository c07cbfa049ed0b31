package dev.switchboard.itests.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A person in a channels chat who stays there the way the protocol lets a client stay: when the
 * connection ends (the server restarts, moves to another port) it connects again to where
 * {@code address} says, subscribes again, and takes what it missed meanwhile from the history
 * snapshot the chat answers a subscription with. The chat echoes a message to its sender, so the
 * echo (live or in a later snapshot) tells that a post was accepted; a post without one when the
 * connection ended is posted again on the next connection.
 */
final class ChatUser implements AutoCloseable {

    private static final Duration RECONNECT = Duration.ofSeconds(120);

    private final Supplier<URI> address;
    private final List<String> topics;
    private final List<ChannelsClient> connections = new ArrayList<>();
    // topic -> texts posted, in order
    private final Map<String, List<String>> posted = new HashMap<>();
    private ChannelsClient current;
    private int reconnects;

    private ChatUser(Supplier<URI> address, List<String> topics) {
        this.address = address;
        this.topics = List.copyOf(topics);
    }

    /** Connects to {@code address} and subscribes to {@code topics}. */
    static ChatUser join(Supplier<URI> address, String... topics) throws Exception {
        ChatUser user = new ChatUser(address, List.of(topics));
        user.connect();
        return user;
    }

    /** Posts {@code text} on {@code topic}; connects again first when the connection has ended. */
    synchronized void post(String topic, String text) throws Exception {
        posted.computeIfAbsent(topic, t -> new ArrayList<>()).add(text);
        if (!current.isOpen()) {
            reconnect();
            return; // the reconnect posted it with the other unechoed ones
        }
        try {
            current.say(topic, "user", text);
        } catch (Exception closedMeanwhile) {
            reconnect();
        }
    }

    /** Connects again when the connection has ended (nothing to post is no reason to stay away). */
    synchronized void stayConnected() throws Exception {
        if (!current.isOpen()) {
            reconnect();
        }
    }

    synchronized int reconnects() {
        return reconnects;
    }

    /**
     * How often each text matching {@code token} (its first group) arrived on {@code topic}, in the
     * order first seen: live messages, and a text missed live counted once from the snapshot that
     * brought it. A text that arrived live twice, or twice in one snapshot, counts twice.
     */
    synchronized Map<String, Integer> received(String topic, Pattern token) {
        return arrivals(topic, text -> {
            Matcher m = token.matcher(text);
            return m.find() ? m.group(1) : null;
        });
    }

    /** As {@link #received}, each text counted under {@code key.apply(text)}, or left out when that is null. */
    private Map<String, Integer> arrivals(String topic, UnaryOperator<String> key) {
        Map<String, Integer> live = new LinkedHashMap<>();
        Map<String, Integer> recovered = new HashMap<>();
        Map<String, Integer> firstSeen = new LinkedHashMap<>();
        for (ChannelsClient connection : connections) {
            for (String frame : connection.frames()) {
                JsonNode node = parse(frame);
                if (node == null || !topic.equals(node.path(0).asText())) {
                    continue;
                }
                String event = node.path(1).asText();
                if (event.equals("message")) {
                    String text = key.apply(node.path(2).path("text").asText());
                    if (text != null) {
                        live.merge(text, 1, Integer::sum);
                        firstSeen.putIfAbsent(text, 0);
                    }
                } else if (event.equals("history")) {
                    Map<String, Integer> snapshot = new HashMap<>();
                    for (JsonNode message : node.path(2).path("messages")) {
                        String text = key.apply(message.path("text").asText());
                        if (text != null) {
                            snapshot.merge(text, 1, Integer::sum);
                            firstSeen.putIfAbsent(text, 0);
                        }
                    }
                    snapshot.forEach((text, n) -> recovered.merge(text, n, Math::max));
                }
            }
        }
        firstSeen.replaceAll((text, zero) -> Math.max(live.getOrDefault(text, 0), recovered.getOrDefault(text, 0)));
        return firstSeen;
    }

    @Override
    public synchronized void close() {
        connections.forEach(ChannelsClient::close);
    }

    private void connect() throws Exception {
        long deadline = System.nanoTime() + RECONNECT.toNanos();
        while (true) {
            ChannelsClient attempt = null;
            try {
                attempt = ChannelsClient.connect(address.get());
                for (String topic : topics) {
                    attempt.join(topic);
                }
                connections.add(attempt);
                current = attempt;
                return;
            } catch (Exception | AssertionError e) {
                if (attempt != null) {
                    attempt.close();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot connect to " + address.get() + " within " + RECONNECT, e);
                }
                Thread.sleep(100); // a client's retry pause, as any chat client has
            }
        }
    }

    /** Connects again and posts again what was posted and never echoed. */
    private void reconnect() throws Exception {
        reconnects++;
        do {
            connect();
            for (Map.Entry<String, List<String>> topic : posted.entrySet()) {
                Map<String, Integer> echoed = arrivals(topic.getKey(), UnaryOperator.identity());
                for (String text : topic.getValue()) {
                    if (!echoed.containsKey(text) && current.isOpen()) {
                        try {
                            current.say(topic.getKey(), "user", text);
                        } catch (Exception closedMeanwhile) {
                            break;
                        }
                    }
                }
            }
        } while (!current.isOpen());
    }

    private static JsonNode parse(String frame) {
        try {
            JsonNode node = Installation.JSON.readTree(frame);
            return node.isArray() ? node : null;
        } catch (Exception e) {
            return null;
        }
    }
}
