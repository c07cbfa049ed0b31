package dev.switchboard.proxy.internal;

import dev.switchboard.api.Message;
import java.util.Map;

/**
 * A command on the {@code control} channel: {@code disconnect} an agent, or {@code close} one
 * stream of an agent ({@code stream} is 0 for a disconnect).
 */
record ControlCommand(String agent, int stream) {

    /** @throws IllegalArgumentException saying what the message lacks */
    static ControlCommand of(Message message) {
        Map<?, ?> data = message.data() instanceof Map<?, ?> map ? map : Map.of();
        String text = message.text() == null ? "" : message.text().trim();
        Object agent = data.get("agent");
        switch (message.event()) {
            case "disconnect" -> {
                String name = agent != null ? agent.toString() : text;
                if (name.isBlank()) {
                    throw new IllegalArgumentException("disconnect: name the agent in the text or data.agent");
                }
                return new ControlCommand(name, 0);
            }
            case "close" -> {
                Object stream = data.get("stream");
                if (agent != null && stream instanceof Number number && number.intValue() > 0) {
                    return new ControlCommand(agent.toString(), number.intValue());
                }
                int slash = text.lastIndexOf('/');
                try {
                    int id = Integer.parseInt(text.substring(slash + 1));
                    if (slash > 0 && id > 0) {
                        return new ControlCommand(text.substring(0, slash), id);
                    }
                } catch (NumberFormatException e) {
                    // said below
                }
                throw new IllegalArgumentException("close: name the stream as agent/id in the text, "
                        + "or data.agent and data.stream");
            }
            default -> throw new IllegalArgumentException("control takes the events close and disconnect, not "
                    + message.event());
        }
    }
}
