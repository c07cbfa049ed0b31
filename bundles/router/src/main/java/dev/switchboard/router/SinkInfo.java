package dev.switchboard.router;

/**
 * The queue a gateway keeps for one destination endpoint.
 *
 * @param endpoint  the destination endpoint id
 * @param present   true when the endpoint's {@code MessageSink} is registered
 * @param queued    messages waiting for delivery
 * @param delivered messages the sink accepted
 * @param failed    messages the sink refused, threw on or did not answer in time (not retried)
 * @param dropped   oldest messages dropped because the queue was full
 */
public record SinkInfo(String endpoint, boolean present, int queued, long delivered, long failed, long dropped) {
}
