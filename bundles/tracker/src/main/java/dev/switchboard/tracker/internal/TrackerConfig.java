package dev.switchboard.tracker.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard tracker endpoint",
        description = "One agent identity on a task tracker (seed 001): authenticates with its token, keeps a heartbeat,"
                + " publishes tracker events (channel: the chat id, task:<id> or project:<id>) and sends chat messages,"
                + " task comments (channel task:<id>) and stream events. Events agent.task.start / agent.task.end on"
                + " task:<id> make the heartbeat say busy while a task is in progress.")
public @interface TrackerConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "tracker";

    @AttributeDefinition(name = "Enabled", description = "Unchecked: the endpoint is registered OFFLINE and never connects.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Tracker URL",
            description = "The tracker's address, e.g. https://tracker.example.com: http(s) becomes ws(s) and /ws is"
                    + " appended. A ws:// or wss:// URL is used as it is.")
    String trackerUrl() default "";

    @AttributeDefinition(name = "WebSocket URL", required = false,
            description = "Overrides the address derived from the tracker URL.")
    String wsUrl() default "";

    @AttributeDefinition(name = "Token", type = AttributeType.PASSWORD,
            description = "The agent's token, sent in the auth message. Never logged.")
    String token() default "";

    @AttributeDefinition(name = "Display name", description = "The agent's name as people see it in statuses and consoles.")
    String displayName() default "Switchboard";

    @AttributeDefinition(name = "Heartbeat interval (seconds)", min = "1",
            description = "Heartbeat period once authenticated (status busy while a task is in progress, else online).")
    int heartbeatIntervalSeconds() default 30;

    @AttributeDefinition(name = "Maximum frame size (bytes)", description = "A larger frame closes the connection with 1009; it reconnects.")
    int maxFrameBytes() default 1048576;

    @AttributeDefinition(name = "Ping interval (seconds)", description = "WebSocket keepalive ping period; 0 disables pings.")
    int pingIntervalSeconds() default 30;
}
