package dev.switchboard.console.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Subscription;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
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
 * Every endpoint's status changes, from the endpoints' status events: each change is one log line
 * ({@code Endpoint demo (channels) is ONLINE: listening on …}, in the switchboard log with the rest
 * of {@code dev.switchboard}) and one entry of a short numbered feed that the Web Console tab
 * follows ({@link #after}), so the page shows a change as it happens.
 */
@Component(service = StatusFeed.class, immediate = true)
public class StatusFeed {

    /** One status change, numbered in the order they happened. */
    record Change(long seq, String endpoint, String protocol, EndpointStatus status) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(StatusFeed.class);
    /** Changes kept for pages that look again later; an older page reloads everything. */
    static final int KEPT = 500;

    private final Map<Endpoint, Subscription> watched = new ConcurrentHashMap<>();
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    private final Consumer<String> out;
    private long seq;

    public StatusFeed() {
        this(LOG::info);
    }

    /** Lines go to {@code out} instead of the log (tests). */
    StatusFeed(Consumer<String> out) {
        this.out = out;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndpoint(Endpoint endpoint) {
        try {
            watched.put(endpoint, endpoint.watchStatus(this::changed));
            changed(endpoint, endpoint.status());
        } catch (RuntimeException e) {
            // an adapter's bug must not stop the feed for the others
            LOG.warn("Cannot watch the status of endpoint {}: {}", safeId(endpoint), e.toString());
        }
    }

    void removeEndpoint(Endpoint endpoint) {
        Subscription subscription = watched.remove(endpoint);
        if (subscription != null) {
            subscription.close();
            out.accept("Endpoint " + safeId(endpoint) + " (" + safeProtocol(endpoint) + ") is gone");
            record(endpoint, EndpointStatus.offline(EndpointStatus.Detail.STOPPED, "gone"));
        }
    }

    @Deactivate
    void deactivate() {
        watched.values().forEach(Subscription::close);
        watched.clear();
        synchronized (recent) {
            recent.notifyAll();
        }
    }

    /**
     * The changes numbered after {@code seq}, waiting up to {@code wait} for one when there is none
     * yet; empty after the wait. A page that missed more than {@value #KEPT} changes gets the
     * oldest kept and reloads.
     */
    List<Change> after(long seq, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (recent) {
            while ((recent.isEmpty() || recent.peekLast().seq() <= seq) && System.nanoTime() < deadline) {
                recent.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            return recent.stream().filter(change -> change.seq() > seq).toList();
        }
    }

    /** The number of the latest change, 0 before the first. */
    long latest() {
        synchronized (recent) {
            return seq;
        }
    }

    private void changed(Endpoint endpoint, EndpointStatus status) {
        if (status == null) {
            return;
        }
        out.accept("Endpoint " + safeId(endpoint) + " (" + safeProtocol(endpoint) + ") is " + status.state()
                + (status.detail() == EndpointStatus.Detail.NONE ? "" : " (" + status.detail() + ")")
                + (status.reason().isEmpty() ? "" : ": " + status.reason()));
        record(endpoint, status);
    }

    private void record(Endpoint endpoint, EndpointStatus status) {
        synchronized (recent) {
            recent.addLast(new Change(++seq, safeId(endpoint), safeProtocol(endpoint), status));
            while (recent.size() > KEPT) {
                recent.removeFirst();
            }
            recent.notifyAll();
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
