package dev.switchboard.router.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.GatewayRegistry;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import java.util.List;
import java.util.Map;

/**
 * The one router of the framework: tracks every {@link MessageSource} and {@link MessageSink} by
 * their {@value Endpoint#ENDPOINT_PROPERTY} property as they come and go, and takes gateway
 * configurations from {@link GatewayComponent}s. Also publishes the read-only
 * {@link GatewayRegistry}.
 */
@Component(service = {GatewayRegistry.class, RouterComponent.class}, immediate = true)
public class RouterComponent implements GatewayRegistry {

    // created with the component instance: DS binds references before activation
    private final Router router = new Router();

    @Reference(name = "source", service = MessageSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeSource")
    void addSource(MessageSource source, Map<String, Object> properties) {
        router.sourceAdded(property(properties, Endpoint.ENDPOINT_PROPERTY),
                property(properties, Endpoint.PROTOCOL_PROPERTY), source);
    }

    void removeSource(MessageSource source) {
        router.sourceRemoved(source);
    }

    @Reference(name = "sink", service = MessageSink.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeSink")
    void addSink(MessageSink sink, Map<String, Object> properties) {
        router.sinkAdded(property(properties, Endpoint.ENDPOINT_PROPERTY), sink);
    }

    void removeSink(MessageSink sink) {
        router.sinkRemoved(sink);
    }

    @Deactivate
    void deactivate() {
        router.close();
    }

    @Override
    public List<GatewayInfo> gateways() {
        return router.gateways();
    }

    void configure(String pid, GatewaySettings settings) {
        router.configure(pid, settings);
    }

    void remove(String pid) {
        router.remove(pid);
    }

    private static String property(Map<String, Object> properties, String key) {
        return properties.get(key) instanceof String value ? value : null;
    }
}
