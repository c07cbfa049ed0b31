package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;

/** What serves the topics of one pattern inside {@link ChannelsServer}: the chat channel or a handler service. */
interface Channel {

    /** A client subscribed; runs while broadcasts to the topic wait. */
    void onJoin(ChannelCall call);

    /** A client event other than subscribe/unsubscribe; true when handled. */
    boolean onEvent(ChannelCall call, String event, JsonNode payload);
}
