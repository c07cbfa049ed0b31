package dev.switchboard.api;

import java.util.concurrent.CompletionStage;

/**
 * Sends messages into the outside world through an endpoint.
 *
 * <p>Registered as an OSGi service with {@value Endpoint#ENDPOINT_PROPERTY} and
 * {@value Endpoint#PROTOCOL_PROPERTY} properties.
 *
 * <p><b>Completion.</b> {@link #send} never blocks on the network and never throws. The returned
 * stage completes normally when the protocol has accepted the message: written to the socket
 * where the protocol has no acknowledgement, acknowledged where it has one, broadcast to the
 * current subscribers for a server. It completes exceptionally with a
 * {@link DeliveryException} saying why otherwise: an {@link EndpointUnavailableException} for
 * "not now" (not connected, reconnecting, being reconfigured or replaced), after which a router
 * keeps the message and tries again when the endpoint is online; any other
 * {@link DeliveryException} for "never" (channel unknown, refused by the peer, message too large).
 * Messages sent from one thread are written in the order sent.
 *
 * <p><b>Threading.</b> Safe to call from any thread. The stage may complete on a protocol thread:
 * dependent actions must not block.
 */
public interface MessageSink {

    CompletionStage<Void> send(Message message);
}
