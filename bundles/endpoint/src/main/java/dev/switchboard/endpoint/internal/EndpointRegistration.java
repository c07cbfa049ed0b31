package dev.switchboard.endpoint.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointPanel;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Objects;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * One object registered as an endpoint's {@link Endpoint}, {@link MessageSource} and
 * {@link MessageSink} services (and its console {@link EndpointPanel}), with {@value Endpoint#ENDPOINT_PROPERTY} and
 * {@value Endpoint#PROTOCOL_PROPERTY} properties: what a configured adapter registers on
 * activation. {@link #rename(String)} follows a configuration edit that changes the id;
 * {@link #close()} unregisters on deactivation, also when the framework already did because the
 * bundle is stopping. Thread-safe.
 */
public final class EndpointRegistration implements AutoCloseable {

    private static final String[] SERVICES =
            {Endpoint.class.getName(), MessageSource.class.getName(), MessageSink.class.getName(),
                    EndpointPanel.class.getName()};

    private final String protocol;
    // guarded by this; null once closed
    private ServiceRegistration<?> registration;
    private String id;

    private EndpointRegistration(ServiceRegistration<?> registration, String id, String protocol) {
        this.registration = registration;
        this.id = id;
        this.protocol = protocol;
    }

    /** Registers {@code endpoint} as the three services of endpoint {@code id}. */
    public static <T extends Endpoint & MessageSource & MessageSink & EndpointPanel> EndpointRegistration register(
            BundleContext context, T endpoint, String id, String protocol) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(protocol, "protocol");
        return new EndpointRegistration(context.registerService(SERVICES, endpoint, properties(id, protocol)), id,
                protocol);
    }

    /** Changes the services' {@value Endpoint#ENDPOINT_PROPERTY}; the same id, or once closed, does nothing. */
    public synchronized void rename(String next) {
        Objects.requireNonNull(next, "id");
        if (registration == null || next.equals(id)) {
            return;
        }
        registration.setProperties(properties(next, protocol));
        id = next;
    }

    /** The id the services are registered with. */
    public synchronized String id() {
        return id;
    }

    /** Unregisters the services. Idempotent. */
    @Override
    public synchronized void close() {
        if (registration == null) {
            return;
        }
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping and the framework unregistered it first
        }
        registration = null;
    }

    private static Dictionary<String, Object> properties(String id, String protocol) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Endpoint.ENDPOINT_PROPERTY, id);
        properties.put(Endpoint.PROTOCOL_PROPERTY, protocol);
        return properties;
    }
}
