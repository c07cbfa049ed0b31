package dev.switchboard.console.internal;

import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.SinkInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages in and out per second of every endpoint and gateway over the last five minutes, one
 * sample a second, so the Web Console tab shows the last five minutes as soon as it opens. A
 * gateway's messages in are those it accepted from its members, its messages out those its
 * members' sinks accepted.
 */
@Component(service = TrafficHistory.class, immediate = true)
public class TrafficHistory {

    /** Samples kept: five minutes of one a second. */
    static final int SAMPLES = 300;

    private static final Logger LOG = LoggerFactory.getLogger(TrafficHistory.class);

    private final EndpointDirectory directory;
    private final RateHistory endpoints = new RateHistory(SAMPLES);
    private final RateHistory gateways = new RateHistory(SAMPLES);
    private ScheduledExecutorService sampler;

    @Activate
    public TrafficHistory(@Reference EndpointDirectory directory) {
        this.directory = directory;
    }

    @Activate
    void activate() {
        sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "switchboard-console-traffic");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        sampler.shutdownNow();
    }

    /** Takes one sample of every endpoint's and gateway's counters. */
    void sample() {
        try {
            record(directory.overview());
        } catch (RuntimeException e) {
            // a broken adapter must not end the sampling of the others
            LOG.debug("Traffic sample failed", e);
        }
    }

    void record(Overview overview) {
        Map<String, RateHistory.Counters> perEndpoint = new LinkedHashMap<>();
        overview.endpoints().forEach(e -> perEndpoint.put(e.id(),
                new RateHistory.Counters(e.metrics().messagesIn(), e.metrics().messagesOut())));
        Map<String, RateHistory.Counters> perGateway = new LinkedHashMap<>();
        for (GatewayInfo g : overview.gateways()) {
            perGateway.put(g.name(), new RateHistory.Counters(g.routed(),
                    g.sinks().stream().mapToLong(SinkInfo::delivered).sum()));
        }
        long time = overview.time().toEpochMilli();
        endpoints.record(time, perEndpoint);
        gateways.record(time, perGateway);
    }

    RateHistory endpoints() {
        return endpoints;
    }

    RateHistory gateways() {
        return gateways;
    }
}
