package dev.switchboard.channels.internal;

import dev.switchboard.channels.ChannelContext;
import java.util.Map;

/** One call into a channel: the calling client, its topic and the pattern's parameters. */
final class ChannelCall implements ChannelContext {

    private final ChannelsServer server;
    private final ChannelsServer.Client client;
    private final String topic;
    private final Map<String, String> params;

    ChannelCall(ChannelsServer server, ChannelsServer.Client client, String topic, Map<String, String> params) {
        this.server = server;
        this.client = client;
        this.topic = topic;
        this.params = params;
    }

    ChannelsServer server() {
        return server;
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
        sendRaw(server.codec().encode(topic, event, payload));
    }

    void sendRaw(String frame) {
        server.sendTo(client, frame);
    }

    @Override
    public int broadcast(String event, Object payload) {
        return server.broadcast(topic, event, server.codec().toTree(payload));
    }
}
