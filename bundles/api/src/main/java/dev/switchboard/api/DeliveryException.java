package dev.switchboard.api;

/** Why a {@link MessageSink} did not accept a message. */
public class DeliveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String endpoint;

    public DeliveryException(String endpoint, String reason) {
        this(endpoint, reason, null);
    }

    public DeliveryException(String endpoint, String reason, Throwable cause) {
        super(endpoint + ": " + reason, cause);
        this.endpoint = endpoint;
    }

    /** The id of the endpoint that refused the message. */
    public String endpoint() {
        return endpoint;
    }
}
