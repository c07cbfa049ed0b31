package dev.switchboard.router;

import java.util.List;

/**
 * One gateway.
 *
 * @param pid          the Config Admin PID of its configuration
 * @param name         its name
 * @param active       true when it routes messages
 * @param reason       "active", or why not ("disabled", "member 2 \"x\" is malformed: …")
 * @param members      its members as configured (empty when the configuration is malformed)
 * @param sinks        one queue per destination endpoint, including queues of former members
 *                     still holding messages
 * @param routed       messages accepted from its members
 * @param duplicates   messages dropped because their id was already routed
 * @param loopsBlocked deliveries skipped because the destination was already in the hop trace
 */
public record GatewayInfo(String pid, String name, boolean active, String reason, List<MemberInfo> members,
                          List<SinkInfo> sinks, long routed, long duplicates, long loopsBlocked) {

    public GatewayInfo {
        members = List.copyOf(members);
        sinks = List.copyOf(sinks);
    }
}
