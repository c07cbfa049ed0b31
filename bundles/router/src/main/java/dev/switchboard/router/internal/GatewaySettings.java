package dev.switchboard.router.internal;

import java.time.Duration;
import java.util.List;

/**
 * A gateway's configuration as Config Admin holds it, before validation: the router parses it
 * and keeps the gateway inactive with a reason when it is malformed.
 *
 * @param name          the gateway's name (thread names, logs, consoles)
 * @param members       the raw member entries, see {@link Member}
 * @param nickFormat    prefix put before chat text delivered to other members
 * @param queueCapacity messages held per destination before the oldest are dropped
 * @param maxAge        how long a message may wait for a destination that is away or not online
 *                      before it is dropped (counted as expired)
 * @param enabled       false keeps the gateway configured but routing nothing
 * @param problem       why the configuration could not be read (the gateway stays inactive with it);
 *                      null when it could
 */
public record GatewaySettings(String name, List<String> members, String nickFormat, int queueCapacity,
                              Duration maxAge, boolean enabled, String problem) {

    static final String DEFAULT_NICK_FORMAT = "[{PROTOCOL}] <{NICK}> ";
    static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    static final int DEFAULT_MAX_AGE_SECONDS = 3_600;

    public GatewaySettings {
        name = name == null ? "" : name.strip();
        members = members == null ? List.of() : List.copyOf(members);
        nickFormat = nickFormat == null ? "" : nickFormat;
        maxAge = maxAge == null ? Duration.ofSeconds(DEFAULT_MAX_AGE_SECONDS) : maxAge;
    }

    /** Readable settings. */
    public GatewaySettings(String name, List<String> members, String nickFormat, int queueCapacity, Duration maxAge,
                           boolean enabled) {
        this(name, members, nickFormat, queueCapacity, maxAge, enabled, null);
    }

    /** Readable settings with the default maximum age. */
    public GatewaySettings(String name, List<String> members, String nickFormat, int queueCapacity, boolean enabled) {
        this(name, members, nickFormat, queueCapacity, null, enabled, null);
    }

    /** A configuration that could not be read: the gateway is inactive with {@code problem}, its queues kept. */
    static GatewaySettings unreadable(String name, String problem) {
        return new GatewaySettings(name, List.of(), null, DEFAULT_QUEUE_CAPACITY, null, false, problem);
    }
}
