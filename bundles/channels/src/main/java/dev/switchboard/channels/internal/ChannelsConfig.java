package dev.switchboard.channels.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard channels endpoint",
        description = "A topic-channel WebSocket server: clients send [topic, event, payload] frames, "
                + "subscribe to topics and receive their broadcasts.")
public @interface ChannelsConfig {

    /** Read by the Felix Web Console (never shown in its form): it lists each configuration by its endpoint id. */
    @AttributeDefinition(name = "Web Console name", description = "How the Web Console lists this endpoint; {id} is its id.")
    String webconsole_configurationFactory_nameHint() default "Channels endpoint {id}";

    @AttributeDefinition(name = "Endpoint id", description = "How gateways name this endpoint; unique within Switchboard.")
    String id() default "channels";

    @AttributeDefinition(name = "Enabled", description = "Unchecked: the endpoint is registered OFFLINE and does not listen.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Listen host", description = "Address to bind. Keep 127.0.0.1 unless a proxy in front needs otherwise.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", min = "0", max = "65535", description = "TCP port; 0 picks a free one.")
    int port() default 3001;

    @AttributeDefinition(name = "Path", description = "WebSocket path clients connect to.")
    String path() default "/";

    @AttributeDefinition(name = "Maximum connections", min = "0", max = "1000000",
            description = "Clients beyond this many are closed with 1008 \"Server at maximum capacity\".")
    int maxConnections() default 100;

    @AttributeDefinition(name = "Maximum frame size (bytes)", min = "1024", max = "16777216",
            description = "A larger frame closes its client with 1009. The chat history a joining client gets fits in"
                    + " one frame of this size: older messages are left out.")
    int maxFrameBytes() default 1048576;

    @AttributeDefinition(name = "Chat history size", min = "0", max = "10000",
            description = "Last messages of a chat topic sent to a client that subscribes; 0 sends an empty history.")
    int historySize() default 50;

    @AttributeDefinition(name = "Chat patterns",
            description = "Topic patterns served by the built-in chat handler: a client's message event is broadcast "
                    + "to every subscriber of the topic and published to Switchboard.")
    String[] chatPatterns() default {"chat:<room>"};

    @AttributeDefinition(name = "Send queue limit", min = "1", max = "1000000",
            description = "Frames queued to one client before it is closed with 1013 as too slow, "
                    + "so one slow client never holds up a broadcast.")
    int sendQueueLimit() default 1024;

    @AttributeDefinition(name = "Ping interval (seconds)", min = "0", max = "3600",
            description = "Keepalive ping period; 0 disables pings.")
    int pingIntervalSeconds() default 30;

    @AttributeDefinition(name = "Compression", description = "Accept permessage-deflate when a client offers it.")
    boolean compression() default false;

    @AttributeDefinition(name = "Clustered",
            description = "Share topics, chat history and subscriber counts with the endpoints of this id on the other "
                    + "nodes of the cluster (configured by dev.switchboard.cluster). While the cluster is unreachable "
                    + "this node delivers to its own clients and catches up once it is back.")
    boolean cluster() default false;

    @AttributeDefinition(name = "Cluster stream size", min = "1", max = "1000000",
            description = "Messages each topic keeps in the cluster: the chat history a joining client gets and how "
                    + "much a node catches up after an outage.")
    int clusterStreamSize() default 1000;

    @AttributeDefinition(name = "Cluster stream expiry (seconds)", min = "1", max = "31536000",
            description = "A topic's messages leave the cluster this long after its last one.")
    int clusterStreamTtlSeconds() default 86400;
}
