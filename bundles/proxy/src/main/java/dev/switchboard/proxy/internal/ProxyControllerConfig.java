package dev.switchboard.proxy.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard proxy controller",
        description = "The public side of a reverse proxy: browsers reach services of agents through it; agents dial "
                + "out to it over one multiplexed tunnel each, so they work behind NAT.")
public @interface ProxyControllerConfig {

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "proxy.controller";

    @AttributeDefinition(name = "Browser host", description = "Address browsers connect to. Keep 127.0.0.1 unless "
            + "the controller is meant to be reached from elsewhere.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Browser port", description = "HTTP and WebSocket port for browsers; 0 picks a free one.")
    int port() default 8040;

    @AttributeDefinition(name = "Agent host", description = "Address agents connect to.")
    String agentHost() default "127.0.0.1";

    @AttributeDefinition(name = "Agent port", description = "Port agents connect to, at path /_agent; 0 picks a free one.")
    int agentPort() default 8041;

    @AttributeDefinition(name = "Agents", type = AttributeType.PASSWORD, required = false,
            description = "Agents allowed to connect, each as name:token (several in one value separated by commas; "
                    + "a token has no comma). A wrong token is refused (close 4401) and "
                    + "logged without the token.")
    String[] agents() default {};

    @AttributeDefinition(name = "Routes", required = false,
            description = "Each as host[/pathPrefix] -> agent/service (several in one value separated by commas), e.g. kuma.example.com -> home/kuma or "
                    + "*/grafana -> home/grafana. Host * matches any Host; an exact host wins over *, then the longest path prefix.")
    String[] routes() default {};

    @AttributeDefinition(name = "Open timeout (seconds)",
            description = "How long the service may take to answer, from the end of the request (its body's last "
                    + "byte), before the browser gets 504.")
    int openTimeoutSeconds() default 10;

    @AttributeDefinition(name = "Stream window (bytes)",
            description = "Bytes an agent may send on one stream before the browser has read them: bounds memory "
                    + "per stream, so a slow browser never holds up another.")
    int streamWindow() default 262_144;

    @AttributeDefinition(name = "Ping interval (seconds)",
            description = "Tunnel pings; an agent silent for this plus 10 s is taken for dead.")
    int pingSeconds() default 30;

    @AttributeDefinition(name = "Configuration name", description = "Shown by the Web Console for this configuration.")
    String webconsole_configurationFactory_nameHint() default "{id}";
}
