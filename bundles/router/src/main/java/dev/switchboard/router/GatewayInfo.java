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
 * @param empty        chat messages not bridged because their text was empty or only whitespace
 */
public record GatewayInfo(String pid, String name, boolean active, String reason, List<MemberInfo> members,
                          List<SinkInfo> sinks, long routed, long duplicates, long loopsBlocked, long empty) {

    public GatewayInfo {
        members = List.copyOf(members);
        sinks = List.copyOf(sinks);
    }

    /** Without the empty count, as version 1.0 of this record had it. */
    public GatewayInfo(String pid, String name, boolean active, String reason, List<MemberInfo> members,
                       List<SinkInfo> sinks, long routed, long duplicates, long loopsBlocked) {
        this(pid, name, active, reason, members, sinks, routed, duplicates, loopsBlocked, 0);
    }
}
