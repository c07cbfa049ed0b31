package dev.switchboard.cluster.internal;

/**
 * The Redis names of one namespace's topics. Every key of a topic carries the hash tag
 * {@code {namespace:topic}}, so a Redis Cluster keeps them in one slot and one script may touch
 * them all: {@code sb:{demo:chat:lobby}:stream} (its messages), {@code …:pub} (its channel),
 * {@code …:nodes} and {@code …:counts} (presence).
 */
final class TopicKeys {

    private static final String STREAM = "}:stream";
    private static final String CHANNEL = "}:pub";

    private final String head;
    private final String namespaceGlob;

    TopicKeys(String keyPrefix, String namespace) {
        this.head = keyPrefix + ":{" + namespace + ":";
        this.namespaceGlob = glob(keyPrefix + ":{" + namespace + ":");
    }

    String stream(String topic) {
        return head + topic + STREAM;
    }

    String channel(String topic) {
        return head + topic + CHANNEL;
    }

    String nodes(String topic) {
        return head + topic + "}:nodes";
    }

    String counts(String topic) {
        return head + topic + "}:counts";
    }

    /** The PSUBSCRIBE pattern of every topic's channel. */
    String channelPattern() {
        return namespaceGlob + "*" + CHANNEL;
    }

    /** The SCAN pattern of every topic's stream. */
    String streamPattern() {
        return namespaceGlob + "*" + STREAM;
    }

    /** The topic of a channel or stream name of this namespace, or null. */
    String topicOf(String name) {
        String suffix = name.endsWith(CHANNEL) ? CHANNEL : name.endsWith(STREAM) ? STREAM : null;
        if (suffix == null || !name.startsWith(head) || name.length() < head.length() + suffix.length()) {
            return null;
        }
        return name.substring(head.length(), name.length() - suffix.length());
    }

    /** {@code text} matched literally by a Redis glob pattern. */
    private static String glob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
