package dev.switchboard.console.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per state change of every endpoint, whatever its protocol: the api has no status
 * events, so endpoints are looked at twice a second and a changed state or reason is logged
 * ({@code Endpoint demo (channels) is ONLINE: listening on …}). Lands in the switchboard log with
 * the rest of {@code dev.switchboard}.
 */
@Component(immediate = true)
public class EndpointStatusLog {

    static final String THREAD_NAME = "switchboard-console-status";
    private static final Logger LOG = LoggerFactory.getLogger(EndpointStatusLog.class);
    private static final long PERIOD_MS = 500;
    /** Stands for "not looked at yet": its reason is one no adapter reports, so the first look logs. */
    private static final EndpointStatus UNSEEN = new EndpointStatus(EndpointStatus.State.OFFLINE, "\u0000unseen", null);

    private final Map<Endpoint, EndpointStatus> lastSeen = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndpoint(Endpoint endpoint) {
        lastSeen.put(endpoint, UNSEEN);
    }

    void removeEndpoint(Endpoint endpoint) {
        if (lastSeen.remove(endpoint) != null) {
            LOG.info("Endpoint {} ({}) is gone", safeId(endpoint), safeProtocol(endpoint));
        }
    }

    @Activate
    void activate() {
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::poll, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    /** Logs every endpoint whose state or reason changed since the last look; returns the lines. */
    List<String> poll() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Endpoint, EndpointStatus> entry : lastSeen.entrySet()) {
            Endpoint endpoint = entry.getKey();
            EndpointStatus now;
            try {
                now = endpoint.status();
            } catch (RuntimeException e) {
                // an adapter's bug must not stop the log for the others
                continue;
            }
            EndpointStatus before = entry.getValue();
            if (now == null || (before.state() == now.state() && before.reason().equals(now.reason()))) {
                continue;
            }
            if (lastSeen.replace(endpoint, before, now)) {
                String line = "Endpoint " + safeId(endpoint) + " (" + safeProtocol(endpoint) + ") is " + now.state()
                        + (now.reason().isEmpty() ? "" : ": " + now.reason());
                LOG.info(line);
                lines.add(line);
            }
        }
        return lines;
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
