package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.channels.ChannelHandler;

/** A whiteboard {@link ChannelHandler} service seen as a {@link Channel}: payloads become plain values. */
final class HandlerChannel implements Channel {

    private final ChannelHandler handler;
    private final ChannelsCodec codec;

    HandlerChannel(ChannelHandler handler, ChannelsCodec codec) {
        this.handler = handler;
        this.codec = codec;
    }

    ChannelHandler handler() {
        return handler;
    }

    @Override
    public void onJoin(ChannelCall call) {
        handler.onJoin(call);
    }

    @Override
    public boolean onEvent(ChannelCall call, String event, JsonNode payload) {
        return handler.onEvent(call, event, codec.toPlain(payload));
    }

    @Override
    public String toString() {
        return handler.getClass().getName() + "(" + handler.pattern() + ")";
    }
}
