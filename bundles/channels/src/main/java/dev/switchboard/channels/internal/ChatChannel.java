package dev.switchboard.channels.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.api.Message;

/**
 * The built-in chat handler: a client's {@code message} is broadcast to every subscriber of the
 * topic, sender included, and remembered; a joining client first gets
 * {@code [topic, "history", {messages: [...]}]} with the topic's last messages, oldest first.
 */
final class ChatChannel implements Channel {

    @Override
    public void onJoin(ChannelCall call) {
        call.sendRaw(call.dispatch().historyFrame(call.topic()));
    }

    @Override
    public boolean onEvent(ChannelCall call, String event, JsonNode payload) {
        if (!Message.CHAT.equals(event)) {
            return false;
        }
        call.dispatch().post(call.topic(), payload);
        return true;
    }
}
