package dev.switchboard.endpoint;

/**
 * An adapter's protocol counters for the run in progress (its connections' bytes, protocol errors,
 * reconnects): what {@link EndpointSupport#traffic()} reports. The skeleton carries them over from
 * one run to the next, so an endpoint's counters go on across configuration edits.
 */
public record Traffic(long bytesIn, long bytesOut, long errors, long reconnects) {

    public static final Traffic NONE = new Traffic(0, 0, 0, 0);

    Traffic plus(Traffic other) {
        return new Traffic(bytesIn + other.bytesIn, bytesOut + other.bytesOut, errors + other.errors,
                reconnects + other.reconnects);
    }
}
