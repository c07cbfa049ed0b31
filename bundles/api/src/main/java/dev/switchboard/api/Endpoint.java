package dev.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One configured adapter instance: a connection to a Kosmi account, a tracker agent, a channels
 * server, a tunnel. Registered as an OSGi service next to its {@link MessageSource} and
 * {@link MessageSink}, with the same {@value #ENDPOINT_PROPERTY} and {@value #PROTOCOL_PROPERTY}
 * properties.
 *
 * <p>All methods are cheap, non-blocking and safe to call from any thread. Adapters implement it
 * (most through the endpoint support bundle's {@code EndpointSupport}); consoles and routers use it.
 */
@ProviderType
public interface Endpoint {

    /** Service property naming the endpoint id; unique within one Switchboard. */
    String ENDPOINT_PROPERTY = "switchboard.endpoint";

    /** Service property naming the protocol: kosmi, tracker, channels, proxy, relay, … */
    String PROTOCOL_PROPERTY = "switchboard.protocol";

    /** The endpoint id, as members of gateways name it. */
    String id();

    /** The protocol name, as {@value #PROTOCOL_PROPERTY}. */
    String protocol();

    /** The current state and why. */
    EndpointStatus status();

    /** The current counters. */
    EndpointMetrics metrics();

    /**
     * The channel a gateway member or a routed message names, spelt as this endpoint's messages
     * spell it: each protocol owns the spelling of its channels (a Kosmi room given as a bare name
     * or a URL is {@code @room}). Throws an {@link IllegalArgumentException} saying why when the
     * name can never be a channel of this protocol.
     */
    String canonicalChannel(String channel);

    /**
     * Tells {@code listener} of every status change from now on, until the returned subscription
     * is closed or the endpoint's service is unregistered. The current status is not replayed:
     * read {@link #status()} after subscribing.
     */
    Subscription watchStatus(EndpointStatusListener listener);
}
