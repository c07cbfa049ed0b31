package dev.switchboard.tracker.internal;

import dev.switchboard.endpoint.EndpointSupport;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard tracker endpoint",
        description = "One agent identity on a task tracker: authenticates with its token, keeps a heartbeat,"
                + " publishes chat messages on their chat id (task comments on task:<id>) and every other tracker"
                + " event on the channel events (those naming a task on task:<id> too), and sends chat messages,"
                + " task comments (channel task:<id>) and stream events. Events agent.task.start / agent.task.end on"
                + " task:<id> make the heartbeat say busy while a task is in progress.")
public @interface TrackerConfig {

    /** Read by the Felix Web Console (never shown in its form): it lists each configuration by its endpoint id. */
    @AttributeDefinition(name = "Web Console name", description = "How the Web Console lists this endpoint; {id} is its id.")
    String webconsole_configurationFactory_nameHint() default "Tracker endpoint {id}";

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "tracker";

    @AttributeDefinition(name = EndpointSupport.SINGLETON_NAME, description = EndpointSupport.SINGLETON_DESCRIPTION) boolean clusterSingleton() default false;

    @AttributeDefinition(name = "Enabled", description = "Unchecked: the endpoint is registered OFFLINE and never connects.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Tracker URL",
            description = "The tracker's address, e.g. https://tracker.example.com: http(s) becomes ws(s) and /ws is"
                    + " appended. A ws:// or wss:// URL is used as it is.")
    String trackerUrl() default "";

    @AttributeDefinition(name = "WebSocket URL", required = false,
            description = "A ws:// or wss:// address that overrides the one derived from the tracker URL.")
    String wsUrl() default "";

    @AttributeDefinition(name = "Token", type = AttributeType.PASSWORD,
            description = "The agent's token, sent in the auth message. Never logged.")
    String token() default "";

    @AttributeDefinition(name = "Display name", description = "The agent's name as people see it in statuses and consoles.")
    String displayName() default "Switchboard";

    @AttributeDefinition(name = "Heartbeat interval (seconds)", min = "1", max = "3600",
            description = "Heartbeat period once authenticated (status busy while a task is in progress, else online).")
    int heartbeatIntervalSeconds() default 30;

    @AttributeDefinition(name = "Maximum frame size (bytes)", min = "1024", max = "16777216",
            description = "A larger frame from the tracker closes the connection with 1009; it reconnects.")
    int maxFrameBytes() default 1048576;

    @AttributeDefinition(name = "Ping interval (seconds)", min = "0", max = "3600",
            description = "WebSocket keepalive ping period; 0 disables pings.")
    int pingIntervalSeconds() default 30;
}
