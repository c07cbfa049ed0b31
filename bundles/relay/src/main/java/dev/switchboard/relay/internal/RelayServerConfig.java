package dev.switchboard.relay.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard relay server",
        description = "The public side of an ngrok-style tunnel: relay clients register tunnel names, and requests "
                + "for <tunnel>.<domain> travel to the client's local service, WebSockets as raw bytes.")
public @interface RelayServerConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "relay-server";

    @AttributeDefinition(name = "Listen host", description = "Address to bind. 0.0.0.0 serves other machines.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "TCP port for browsers and relay clients; 0 picks a free one.")
    int port() default 8030;

    @AttributeDefinition(name = "Domain",
            description = "Tunnel \"app\" answers Host app.<domain>. With localhost, browsers resolve it to this machine.")
    String domain() default "localhost";

    @AttributeDefinition(name = "Default tunnel",
            description = "The tunnel for requests whose Host names none; empty answers them 404.")
    String defaultTunnel() default "";

    @AttributeDefinition(name = "Client tokens", type = AttributeType.PASSWORD,
            description = "Tokens relay clients authenticate with, separated by commas. Empty accepts no client.")
    String tokens() default "";

    @AttributeDefinition(name = "Maximum tunnels", description = "Registrations beyond this many are refused (4429).")
    int maxTunnels() default 100;

    @AttributeDefinition(name = "Maximum WebSockets per tunnel",
            description = "Upgrades beyond this many open WebSockets of one tunnel are answered 503.")
    int maxWebSocketsPerTunnel() default 1000;

    @AttributeDefinition(name = "Request timeout (seconds)",
            description = "A request without an answer this long after it was sent is answered 504; "
                    + "a connection whose request head is not complete this long after it opened is closed.")
    int requestTimeoutSeconds() default 30;

    @AttributeDefinition(name = "Request log",
            description = "Publish one event per HTTP request (method, host, path, status, ms, bytes).")
    boolean requestLog() default false;
}
