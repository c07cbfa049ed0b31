package dev.switchboard.channels;

import java.util.Map;

/** What a {@link ChannelHandler} may do for the client and topic of one call. */
public interface ChannelContext {

    /** The topic, such as {@code reasoning:abc}. */
    String topic();

    /** The pattern's parameters as matched in {@link #topic()}, such as {@code sessionId=abc}. */
    Map<String, String> params();

    /** The server's id for the calling client, such as {@code conn_7}. */
    String connectionId();

    /** Sends {@code [topic, event, payload]} to the calling client only. */
    void send(String event, Object payload);

    /**
     * Sends {@code [topic, event, payload]} to every subscriber of the topic.
     *
     * @return how many subscribers it was sent to
     */
    int broadcast(String event, Object payload);
}
