package dev.switchboard.router;

/**
 * One member of a gateway.
 *
 * @param endpoint      the endpoint id ({@code switchboard.endpoint})
 * @param channel       the channel on that endpoint
 * @param direction     which way messages flow
 * @param sourcePresent true when a {@code MessageSource} for the endpoint is registered
 * @param sinkPresent   true when a {@code MessageSink} for the endpoint is registered
 * @param problem       why the member cannot be used (its endpoint refuses the channel's
 *                      spelling); empty when it can
 */
public record MemberInfo(String endpoint, String channel, Direction direction,
                         boolean sourcePresent, boolean sinkPresent, String problem) {

    public MemberInfo {
        problem = problem == null ? "" : problem;
    }

    /** A usable member, as version 1.0 of this record had it. */
    public MemberInfo(String endpoint, String channel, Direction direction, boolean sourcePresent,
                      boolean sinkPresent) {
        this(endpoint, channel, direction, sourcePresent, sinkPresent, "");
    }
}
