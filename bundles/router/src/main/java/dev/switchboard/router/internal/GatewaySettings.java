package dev.switchboard.router.internal;

import java.util.List;

/**
 * A gateway's configuration as Config Admin holds it, before validation: the router parses it
 * and keeps the gateway inactive with a reason when it is malformed.
 *
 * @param name          the gateway's name (thread names, logs, consoles)
 * @param members       the raw member entries, see {@link Member}
 * @param nickFormat    prefix put before chat text delivered to other members
 * @param queueCapacity messages held per destination before the oldest are dropped
 * @param enabled       false keeps the gateway configured but routing nothing
 */
public record GatewaySettings(String name, List<String> members, String nickFormat, int queueCapacity, boolean enabled) {

    static final String DEFAULT_NICK_FORMAT = "[{PROTOCOL}] <{NICK}> ";
    static final int DEFAULT_QUEUE_CAPACITY = 10_000;

    public GatewaySettings {
        name = name == null ? "" : name.strip();
        members = members == null ? List.of() : List.copyOf(members);
        nickFormat = nickFormat == null ? "" : nickFormat;
    }
}
