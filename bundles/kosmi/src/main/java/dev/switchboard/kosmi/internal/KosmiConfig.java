package dev.switchboard.kosmi.internal;

import dev.switchboard.endpoint.EndpointSupport;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard Kosmi endpoint",
        description = "One Kosmi account: logs in anonymously, speaks graphql-transport-ws to Kosmi, "
                + "joins its rooms, publishes their messages and sends into them.")
public @interface KosmiConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "kosmi";

    @AttributeDefinition(name = EndpointSupport.SINGLETON_NAME, description = EndpointSupport.SINGLETON_DESCRIPTION) boolean clusterSingleton() default false;

    @AttributeDefinition(name = "Enabled", description = "Off keeps the endpoint registered but disconnected.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Rooms",
            description = "Rooms to join: hyperspaceout, @hyperspaceout or https://app.kosmi.io/room/@hyperspaceout "
                    + "all name @hyperspaceout, in this list and in gateway members alike.")
    String[] rooms();

    @AttributeDefinition(name = "GraphQL URL",
            description = "Where the anonymous login is POSTed (http:// or https://).")
    String graphqlUrl() default "https://engine.kosmi.io/";

    @AttributeDefinition(name = "WebSocket URL", description = "The graphql-transport-ws endpoint (ws:// or wss://).")
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

    @AttributeDefinition(name = "Login timeout (seconds)", min = "1",
            description = "A login Kosmi has not answered within this fails; the next connection tries again.")
    int loginTimeoutSeconds() default 10;

    @AttributeDefinition(name = "connection_ack timeout (seconds)", min = "1",
            description = "A connection that is not acknowledged within this is closed and retried.")
    int ackTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Send timeout (seconds)", min = "1",
            description = "A SendMessage that Kosmi has not answered within this fails.")
    int sendTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Keepalive (seconds)", min = "0",
            description = "WebSocket ping period; a ping unanswered within one period reconnects. 0 disables.")
    int keepaliveSeconds() default 30;

    @AttributeDefinition(name = "First retry delay (milliseconds)", min = "1",
            description = "Reconnects wait this long at first, doubling on each failure.")
    int retryInitialMillis() default 1000;

    @AttributeDefinition(name = "Longest retry delay (milliseconds)", min = "1",
            description = "The ceiling of the doubling, at least the first delay; close code 4429 (too many requests) "
                    + "waits this long.")
    int retryMaxMillis() default 30000;

    @AttributeDefinition(name = "Maximum message size (bytes)", min = "" + KosmiSettings.MIN_MESSAGE_BYTES,
            description = "A larger frame closes the connection with 1009.")
    int maxMessageBytes() default 1048576;

    /** The Felix Web Console names each factory configuration after this, so the list shows endpoint ids. */
    @AttributeDefinition(name = "Web Console name", required = false,
            description = "How the Web Console lists this configuration; {id} is the endpoint id.")
    String webconsole_configurationFactory_nameHint() default "Kosmi {id}";
}
