package dev.switchboard.api;

/**
 * Told of every change of an {@link Endpoint}'s status, through {@link Endpoint#watchStatus}.
 *
 * <p><b>Threading.</b> Called on whichever thread changed the status (a protocol thread, a
 * configuration thread), one call at a time per endpoint and in the order of the changes. It must
 * return quickly and never block; an exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface EndpointStatusListener {

    /** {@code endpoint} moved to {@code status} (which differs from the one before in state, detail or reason). */
    void statusChanged(Endpoint endpoint, EndpointStatus status);
}
