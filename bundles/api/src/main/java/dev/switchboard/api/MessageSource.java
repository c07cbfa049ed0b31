package dev.switchboard.api;

/**
 * What arrives at an endpoint from the outside world, published as {@link Message}s.
 *
 * <p>Registered as an OSGi service with {@value Endpoint#ENDPOINT_PROPERTY} and
 * {@value Endpoint#PROTOCOL_PROPERTY} properties.
 *
 * <p><b>Ordering.</b> For one source, every listener sees messages in the order the source
 * received them; there is no ordering between different sources. A message is delivered to a
 * listener at most once. Messages that arrive while no listener is subscribed (the router is being
 * updated) are held, within a bound, and delivered in order to the next listener; beyond the
 * bound the oldest are dropped, counted in the endpoint's errors and logged.
 *
 * <p><b>Threading.</b> See {@link MessageListener}: one source thread at a time per listener.
 */
public interface MessageSource {

    /**
     * Starts delivering this source's messages to {@code listener} until the returned
     * subscription is closed or the source's service is unregistered.
     */
    Subscription subscribe(MessageListener listener);
}
