package dev.switchboard.channels.internal;

import dev.switchboard.transport.WebSocketConnection;
import java.util.HashSet;
import java.util.Set;

/**
 * One client a channels server accepted: its connection and the topics it subscribed to. The
 * topic set is touched only by the client's own connection's calls, one at a time, and made on the
 * first subscribe: an idle connection costs as little as possible.
 */
final class Client {

    private final WebSocketConnection connection;
    private final String id;
    private Set<String> topics;
    private volatile boolean closing;

    Client(WebSocketConnection connection, String id) {
        this.connection = connection;
        this.id = id;
    }

    /** The server's name for the client, such as {@code conn_7}. */
    String id() {
        return id;
    }

    WebSocketConnection connection() {
        return connection;
    }

    void subscribed(String topic) {
        if (topics == null) {
            topics = new HashSet<>(4);
        }
        topics.add(topic);
    }

    /** True when the client was subscribed to {@code topic}. */
    boolean unsubscribed(String topic) {
        return topics != null && topics.remove(topic);
    }

    /** Every topic the client was subscribed to, forgotten: it left. */
    Set<String> leave() {
        Set<String> left = topics == null ? Set.of() : topics;
        topics = null;
        return left;
    }

    /** True once the client is being closed: nothing more is queued to it. */
    boolean closing() {
        return closing;
    }

    /** Marks the client as closing; true for the one call that did, which then closes it. */
    synchronized boolean startClosing() {
        if (closing) {
            return false;
        }
        closing = true;
        return true;
    }
}
