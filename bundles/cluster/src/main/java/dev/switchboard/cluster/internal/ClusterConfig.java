package dev.switchboard.cluster.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard cluster",
        description = "Makes this node one of several sharing channels topics, history, presence and leases "
                + "through Redis (or Valkey). Without this configuration the node runs alone.")
public @interface ClusterConfig {

    @AttributeDefinition(name = "Redis URL",
            description = "redis://host:port[/database], or rediss://… for TLS. A user name may come before an @.")
    String redisUrl() default "redis://127.0.0.1:6379";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false,
            description = "Redis password (AUTH); empty when the server needs none.")
    String password() default "";

    @AttributeDefinition(name = "Node id", required = false,
            description = "This node's name in the cluster; empty: generated once and kept in the bundle's data area.")
    String nodeId() default "";

    @AttributeDefinition(name = "Key prefix",
            description = "Prefix of every Redis key and channel, so several clusters can share one Redis.")
    String keyPrefix() default "sb";

    @AttributeDefinition(name = "Timeout (milliseconds)", min = "100", max = "60000",
            description = "Connect and reply timeout of a Redis call.")
    int timeoutMillis() default 2000;
}
