package dev.switchboard.console.internal;

import dev.switchboard.api.Author;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointPanel;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.router.GatewayRegistry;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The endpoints, sinks and gateways registered right now, shared by the shell commands and the
 * Web Console plugin. Every reference is dynamic and optional: the console keeps working while
 * adapters and the router come and go.
 */
@Component(service = EndpointDirectory.class)
public class EndpointDirectory {

    /** Who console messages are from. */
    static final Author CONSOLE = new Author("console", "console");

    private final Map<Endpoint, Boolean> endpoints = new ConcurrentHashMap<>();
    private final Map<MessageSink, String> sinks = new ConcurrentHashMap<>();
    private final Map<EndpointPanel, String> panels = new ConcurrentHashMap<>();
    private volatile GatewayRegistry gatewayRegistry;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndpoint(Endpoint endpoint) {
        endpoints.put(endpoint, Boolean.TRUE);
    }

    void removeEndpoint(Endpoint endpoint) {
        endpoints.remove(endpoint);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + Endpoint.ENDPOINT_PROPERTY + "=*)", updated = "updatedSink")
    void addSink(MessageSink sink, Map<String, Object> properties) {
        sinks.put(sink, String.valueOf(properties.get(Endpoint.ENDPOINT_PROPERTY)));
    }

    /** The endpoint was renamed: {@code switchboard:send} finds it under its new id. */
    void updatedSink(MessageSink sink, Map<String, Object> properties) {
        addSink(sink, properties);
    }

    void removeSink(MessageSink sink) {
        sinks.remove(sink);
    }

    /** An endpoint's console panel, from its adapter (the whiteboard of {@link EndpointPanel}s). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + Endpoint.ENDPOINT_PROPERTY + "=*)", updated = "updatedPanel")
    void addPanel(EndpointPanel panel, Map<String, Object> properties) {
        panels.put(panel, String.valueOf(properties.get(Endpoint.ENDPOINT_PROPERTY)));
    }

    void updatedPanel(EndpointPanel panel, Map<String, Object> properties) {
        addPanel(panel, properties);
    }

    void removePanel(EndpointPanel panel) {
        panels.remove(panel);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setGatewayRegistry(GatewayRegistry registry) {
        gatewayRegistry = registry;
    }

    void unsetGatewayRegistry(GatewayRegistry registry) {
        if (gatewayRegistry == registry) {
            gatewayRegistry = null;
        }
    }

    /** A snapshot of every endpoint and gateway. */
    Overview overview() {
        List<EndpointView> views = endpoints.keySet().stream()
                .map(this::view)
                .sorted(Comparator.comparing(EndpointView::id))
                .toList();
        GatewayRegistry registry = gatewayRegistry;
        return new Overview(Instant.now(), views, registry != null, registry == null ? List.of() : registry.gateways());
    }

    /** The endpoint registered as {@code id}; fails naming it when there is none. */
    Endpoint endpoint(String id) {
        return endpoints.keySet().stream().filter(e -> e.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no endpoint " + id));
    }

    private EndpointView view(Endpoint endpoint) {
        String id = endpoint.id();
        EndpointMetrics metrics = endpoint.metrics();
        return new EndpointView(id, endpoint.protocol(), endpoint.status(), metrics, sinkOf(id) != null,
                panelOf(id, metrics));
    }

    /** The endpoint's own panel, or one made from its details when its adapter brings none. */
    private List<EndpointPanel.Table> panelOf(String id, EndpointMetrics metrics) {
        for (Map.Entry<EndpointPanel, String> entry : panels.entrySet()) {
            if (entry.getValue().equals(id)) {
                try {
                    return entry.getKey().tables();
                } catch (RuntimeException e) {
                    // a broken panel must not break the console
                    return List.of(new EndpointPanel.Table("details", List.of("error"), List.of(List.of(e.toString()))));
                }
            }
        }
        return EndpointPanel.tablesOf(metrics.details());
    }

    /**
     * Sends chat text from the console into {@code endpointId}'s {@code channel}. Fails with an
     * {@link IllegalArgumentException} naming the known endpoints when there is no such sink.
     */
    CompletionStage<Void> send(String endpointId, String channel, String text) {
        MessageSink sink = sinkOf(endpointId);
        if (sink == null) {
            String known = String.join(", ", sinks.values().stream().sorted().toList());
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown endpoint \"" + endpointId
                    + "\"; endpoints that accept messages: " + (known.isEmpty() ? "none" : known)));
        }
        Message message = Message.builder(endpointId, channel).author(CONSOLE).text(text).build();
        try {
            return sink.send(message);
        } catch (RuntimeException e) {
            // the contract says send never throws; a broken adapter must not break the console
            return CompletableFuture.failedFuture(e);
        }
    }

    private MessageSink sinkOf(String endpointId) {
        for (Map.Entry<MessageSink, String> entry : sinks.entrySet()) {
            if (entry.getValue().equals(endpointId)) {
                return entry.getKey();
            }
        }
        return null;
    }
}
