package dev.switchboard.api;

/**
 * A {@link MessageSink}'s "not now": the endpoint cannot take the message at the moment (not
 * connected, reconnecting, being reconfigured or replaced) but may later. A router keeps such a
 * message and sends it again when the endpoint is {@link EndpointStatus.State#ONLINE}; a plain
 * {@link DeliveryException} is "never" (refused by the far side, invalid for this protocol).
 */
public class EndpointUnavailableException extends DeliveryException {

    private static final long serialVersionUID = 1L;

    public EndpointUnavailableException(String endpoint, String reason) {
        super(endpoint, reason);
    }

    public EndpointUnavailableException(String endpoint, String reason, Throwable cause) {
        super(endpoint, reason, cause);
    }
}
