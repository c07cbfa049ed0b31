package dev.switchboard.relay.internal;

import dev.switchboard.endpoint.EndpointSupport;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard relay client",
        description = "Exposes a local service through a relay server under a tunnel name; "
                + "reconnects on its own, open WebSockets survive a reconnect.")
public @interface RelayClientConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "relay-client";

    @AttributeDefinition(name = EndpointSupport.SINGLETON_NAME, description = EndpointSupport.SINGLETON_DESCRIPTION) boolean clusterSingleton() default false;

    @AttributeDefinition(name = "Relay URL", description = "The relay server's control channel (ws://).")
    String relayUrl() default "ws://127.0.0.1:8030/_relay/control";

    @AttributeDefinition(name = "Token", type = AttributeType.PASSWORD,
            description = "A token the relay server accepts.")
    String token() default "";

    @AttributeDefinition(name = "Tunnel", description = "The name the service answers under: <tunnel>.<domain>.")
    String tunnel() default "app";

    @AttributeDefinition(name = "Local URL", description = "The local service (http://host:port).")
    String localUrl() default "http://127.0.0.1:3000";
}
