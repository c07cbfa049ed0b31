package dev.switchboard.api.cluster;

/** The backplane cannot be reached now; the message says why (never a secret). */
public class ClusterUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
