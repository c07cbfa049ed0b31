package dev.switchboard.router.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard gateway",
        description = "Connects channels of several endpoints: a message published by an 'in' or 'inout' member"
                + " is delivered to every other 'out' or 'inout' member. Factory PID dev.switchboard.gateway.")
public @interface GatewayConfig {

    @AttributeDefinition(name = "Name", required = false,
            description = "Shown in logs, thread names and consoles. Empty: the configuration's name"
                    + " (dev.switchboard.gateway-<name>.cfg).")
    String name() default "";

    @AttributeDefinition(name = "Members",
            description = "One member per entry, written 'endpoint:channel direction', e.g."
                    + " 'kosmi-main:lobby inout' or 'channels-main:chat:lobby out'. The endpoint ends at the first ':'"
                    + " (it is the adapter's switchboard.endpoint), the direction is the last word: in, out or inout;"
                    + " the channel is what lies between and may contain ':' and spaces but not ','. An entry may hold"
                    + " several members separated by commas. A malformed member keeps the whole gateway inactive."
                    + " Endpoints that are not (yet) present are waited for.")
    String[] members() default {};

    @AttributeDefinition(name = "Nick format", required = false,
            description = "Put before chat text delivered to other members. Placeholders, all about the message's"
                    + " origin: {NICK} (author's display name), {PROTOCOL}, {ENDPOINT}, {CHANNEL}, and {GATEWAY}"
                    + " (this gateway's name). Empty: text is delivered unchanged.")
    String nickFormat() default GatewaySettings.DEFAULT_NICK_FORMAT;

    @AttributeDefinition(name = "Queue capacity", min = "1",
            description = "Messages held per destination endpoint while its sink is absent (for example during a"
                    + " redeploy) or slow. When full, the oldest are dropped and counted.")
    int queueCapacity() default GatewaySettings.DEFAULT_QUEUE_CAPACITY;

    @AttributeDefinition(name = "Maximum age (seconds)", min = "1",
            description = "How long a message may wait for a destination that is away (redeployed) or not online"
                    + " (reconnecting) before it is dropped and counted as expired.")
    int maxAgeSeconds() default GatewaySettings.DEFAULT_MAX_AGE_SECONDS;

    @AttributeDefinition(name = "Enabled", description = "Unchecked: configured but routing nothing.")
    boolean enabled() default true;
}
