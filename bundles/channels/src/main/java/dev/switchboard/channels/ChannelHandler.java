package dev.switchboard.channels;

/**
 * Serves the topics matching one pattern on a channels server.
 *
 * <p>A pattern is a sequence of {@code :}-separated segments; a segment written {@code <name>}
 * matches any text and captures it as parameter {@code name}, any other segment must match
 * literally, and a topic matches only with as many segments as the pattern
 * ({@code reasoning:<sessionId>} matches {@code reasoning:abc} with {@code sessionId=abc}). A topic
 * is served by the first pattern it matches: the server's built-in chat patterns first, then
 * handler services by {@code service.ranking} (highest first), then by registration order.
 *
 * <p>Payloads are JSON-compatible plain values: {@code null}, {@link String}, {@link Number},
 * {@link Boolean}, {@link java.util.List} and {@link java.util.Map} with string keys.
 *
 * <p><b>Threading.</b> Calls for one client come one at a time, in frame order; calls for different
 * clients may be concurrent. {@link #onJoin} runs while broadcasts to that topic wait, so that the
 * snapshot and the live frames never overlap: it must return quickly and must not broadcast to
 * other topics. An exception thrown by a handler is logged and answered with an
 * {@code INTERNAL_ERROR} reply to that client; nobody else notices.
 */
public interface ChannelHandler {

    /**
     * Optional service property: the id of the one channels endpoint this handler serves. Without
     * it the handler serves every channels endpoint.
     */
    String ENDPOINT_PROPERTY = "switchboard.endpoint";

    /** The topic pattern this handler serves, such as {@code reasoning:<sessionId>}. */
    String pattern();

    /**
     * A client subscribed to a topic of this pattern; it has just been sent
     * {@code [topic, "subscribed", {id}]}. Send it the current state with {@link ChannelContext#send}.
     */
    default void onJoin(ChannelContext context) {
    }

    /**
     * A client sent {@code [topic, event, payload]} on a topic of this pattern (any event except
     * {@code subscribe} and {@code unsubscribe}).
     *
     * @return true when the event was handled: the endpoint then publishes it as a Switchboard
     *         message; false for an event this handler does not know (no reply)
     */
    boolean onEvent(ChannelContext context, String event, Object payload);
}
