package dev.switchboard.router;

/**
 * One member of a gateway.
 *
 * @param endpoint      the endpoint id ({@code switchboard.endpoint})
 * @param channel       the channel on that endpoint
 * @param direction     which way messages flow
 * @param sourcePresent true when a {@code MessageSource} for the endpoint is registered
 * @param sinkPresent   true when a {@code MessageSink} for the endpoint is registered
 */
public record MemberInfo(String endpoint, String channel, Direction direction,
                         boolean sourcePresent, boolean sinkPresent) {
}
