package dev.switchboard.proxy.internal;

import dev.switchboard.endpoint.EndpointSupport;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard proxy agent",
        description = "The private side of a reverse proxy: dials out to a proxy controller and serves its browsers "
                + "with the services named here, over one multiplexed tunnel.")
public @interface ProxyAgentConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "proxy.agent";

    @AttributeDefinition(name = EndpointSupport.SINGLETON_NAME, description = EndpointSupport.SINGLETON_DESCRIPTION) boolean clusterSingleton() default false;

    @AttributeDefinition(name = "Controller URL", description = "The controller's agent address, ws:// or wss://.")
    String controllerUrl() default "ws://127.0.0.1:8041/_agent";

    @AttributeDefinition(name = "Agent name", description = "The name the controller's agents and routes know this agent by.")
    String name();

    @AttributeDefinition(name = "Token", type = AttributeType.PASSWORD,
            description = "The secret the controller has for this agent name.")
    String token();

    @AttributeDefinition(name = "Services",
            description = "Services browsers may reach, each as name=url (several in one value separated by commas), e.g. kuma=http://127.0.0.1:3001. "
                    + "WebSocket upgrades go to the same host and port.")
    String[] services() default {};

    @AttributeDefinition(name = "Stream window (bytes)",
            description = "Bytes the controller may send on one stream before the service has read them.")
    int streamWindow() default 262_144;

    @AttributeDefinition(name = "Tunnel connections", min = "1", max = "8",
            description = "WebSocket connections to the controller; new streams go to the one with the fewest. More "
                    + "than one spreads many streams' traffic over several connections (and cores); one stream "
                    + "always uses one connection.")
    int tunnels() default 2;

    @AttributeDefinition(name = "Configuration name", description = "Shown by the Web Console for this configuration.")
    String webconsole_configurationFactory_nameHint() default "{id}";
}
