package dev.switchboard.console.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Subscription;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per status change of every endpoint, whatever its protocol
 * ({@code Endpoint demo (channels) is ONLINE: listening on …}), from the endpoints' status events:
 * the status an endpoint has when it appears, then each change as it happens. Lands in the
 * switchboard log with the rest of {@code dev.switchboard}.
 */
@Component(immediate = true)
public class EndpointStatusLog {

    private static final Logger LOG = LoggerFactory.getLogger(EndpointStatusLog.class);

    private final Map<Endpoint, Subscription> watched = new ConcurrentHashMap<>();
    private final Consumer<String> out;

    public EndpointStatusLog() {
        this(LOG::info);
    }

    /** Lines go to {@code out} instead of the log (tests). */
    EndpointStatusLog(Consumer<String> out) {
        this.out = out;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndpoint(Endpoint endpoint) {
        try {
            watched.put(endpoint, endpoint.watchStatus(this::changed));
            changed(endpoint, endpoint.status());
        } catch (RuntimeException e) {
            // an adapter's bug must not stop the log for the others
            LOG.warn("Cannot watch the status of endpoint {}: {}", safeId(endpoint), e.toString());
        }
    }

    void removeEndpoint(Endpoint endpoint) {
        Subscription subscription = watched.remove(endpoint);
        if (subscription != null) {
            subscription.close();
            out.accept("Endpoint " + safeId(endpoint) + " (" + safeProtocol(endpoint) + ") is gone");
        }
    }

    @Deactivate
    void deactivate() {
        watched.values().forEach(Subscription::close);
        watched.clear();
    }

    private void changed(Endpoint endpoint, EndpointStatus status) {
        if (status != null) {
            out.accept("Endpoint " + safeId(endpoint) + " (" + safeProtocol(endpoint) + ") is " + status.state()
                    + (status.detail() == EndpointStatus.Detail.NONE ? "" : " (" + status.detail() + ")")
                    + (status.reason().isEmpty() ? "" : ": " + status.reason()));
        }
    }

    private static String safeId(Endpoint endpoint) {
        try {
            return endpoint.id();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String safeProtocol(Endpoint endpoint) {
        try {
            return endpoint.protocol();
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
