package dev.switchboard.channels.internal;

import dev.switchboard.channels.ChannelContext;
import java.util.Map;

/** One call into a channel: the calling client, its topic and the pattern's parameters. */
final class ChannelCall implements ChannelContext {

    private final ChannelDispatch dispatch;
    private final Client client;
    private final String topic;
    private final Map<String, String> params;

    ChannelCall(ChannelDispatch dispatch, Client client, String topic, Map<String, String> params) {
        this.dispatch = dispatch;
        this.client = client;
        this.topic = topic;
        this.params = params;
    }

    ChannelDispatch dispatch() {
        return dispatch;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public Map<String, String> params() {
        return params;
    }

    @Override
    public String connectionId() {
        return client.id();
    }

    @Override
    public void send(String event, Object payload) {
        sendRaw(dispatch.codec().encode(topic, event, payload));
    }

    void sendRaw(String frame) {
        dispatch.sendTo(client, frame);
    }

    @Override
    public int broadcast(String event, Object payload) {
        return dispatch.broadcast(topic, event, dispatch.codec().toTree(payload));
    }
}
