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
 * @param expired   messages dropped because they waited longer than the gateway's maximum age
 * @param waiting   true while the sink said "not now" (its endpoint is not online): the queue holds
 *                  its messages until the endpoint is online again
 */
public record SinkInfo(String endpoint, boolean present, int queued, long delivered, long failed, long dropped,
                       long expired, boolean waiting) {

    /** Counters without expiry and waiting, as version 1.0 of this record had them. */
    public SinkInfo(String endpoint, boolean present, int queued, long delivered, long failed, long dropped) {
        this(endpoint, present, queued, delivered, failed, dropped, 0, false);
    }
}
