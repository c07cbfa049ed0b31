package dev.switchboard.kosmi.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard Kosmi endpoint",
        description = "One Kosmi account (seed 000): logs in anonymously, speaks graphql-transport-ws to Kosmi, "
                + "joins its rooms, publishes their messages and sends into them.")
public @interface KosmiConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "kosmi";

    @AttributeDefinition(name = "Rooms",
            description = "Rooms to join: hyperspaceout, @hyperspaceout or https://app.kosmi.io/room/@hyperspaceout "
                    + "all name @hyperspaceout. Gateway members name a room with its @.")
    String[] rooms();

    @AttributeDefinition(name = "GraphQL URL", description = "Where the anonymous login is POSTed.")
    String graphqlUrl() default "https://engine.kosmi.io/";

    @AttributeDefinition(name = "WebSocket URL", description = "The graphql-transport-ws endpoint.")
    String webSocketUrl() default "wss://engine.kosmi.io/gql-ws";

    @AttributeDefinition(name = "Token", type = AttributeType.PASSWORD, required = false,
            description = "A Kosmi token to use instead of logging in anonymously. Empty: log in anonymously and keep "
                    + "the token in the runtime's data folder (owner-only), reused across restarts.")
    String token() default "";

    @AttributeDefinition(name = "Display name", required = false,
            description = "The name this endpoint's Kosmi user appears under; empty keeps the one Kosmi assigns.")
    String displayName() default "";

    @AttributeDefinition(name = "User-Agent", description = "Sent on login and on the WebSocket handshake, and "
            + "base64-encoded as connection_init's ua.")
    String userAgent() default "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    @AttributeDefinition(name = "Origin", description = "The Origin header of login and handshake.")
    String origin() default "https://app.kosmi.io";

    @AttributeDefinition(name = "App version", description = "connection_init's v, the Kosmi web app version.")
    String appVersion() default "4364";

    @AttributeDefinition(name = "Login timeout (seconds)")
    int loginTimeoutSeconds() default 10;

    @AttributeDefinition(name = "connection_ack timeout (seconds)",
            description = "A connection that is not acknowledged within this is closed and retried.")
    int ackTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Send timeout (seconds)",
            description = "A SendMessage that Kosmi has not answered within this fails.")
    int sendTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Keepalive (seconds)",
            description = "graphql-transport-ws ping period; a ping unanswered by the next one reconnects. 0 disables.")
    int keepaliveSeconds() default 30;

    @AttributeDefinition(name = "First retry delay (milliseconds)",
            description = "Reconnects and login retries wait this long at first, doubling on each failure.")
    int retryInitialMillis() default 1000;

    @AttributeDefinition(name = "Longest retry delay (milliseconds)",
            description = "The ceiling of the doubling; close code 4429 (too many requests) waits this long.")
    int retryMaxMillis() default 30000;

    @AttributeDefinition(name = "Maximum message size (bytes)", description = "A larger frame closes with 1009.")
    int maxMessageBytes() default 1048576;
}
