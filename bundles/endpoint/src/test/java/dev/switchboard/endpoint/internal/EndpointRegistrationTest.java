package dev.switchboard.endpoint.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointPanel;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatusListener;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

class EndpointRegistrationTest {

    /** What the framework was asked to do, from a BundleContext and ServiceRegistration that only record. */
    private static final class Framework {
        final List<String> calls = new ArrayList<>();
        String[] services;
        Object service;
        Dictionary<?, ?> properties;
        boolean unregisteredFirst;

        BundleContext context() {
            return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                        if (!method.getName().equals("registerService") || !(args[0] instanceof String[] names)) {
                            throw new UnsupportedOperationException(method.toString());
                        }
                        services = names;
                        service = args[1];
                        properties = (Dictionary<?, ?>) args[2];
                        calls.add("register");
                        return registration();
                    });
        }

        private ServiceRegistration<?> registration() {
            return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "setProperties" -> {
                                properties = (Dictionary<?, ?>) args[0];
                                calls.add("setProperties");
                            }
                            case "unregister" -> {
                                calls.add("unregister");
                                if (unregisteredFirst) {
                                    throw new IllegalStateException("already unregistered");
                                }
                            }
                            default -> throw new UnsupportedOperationException(method.toString());
                        }
                        return null;
                    });
        }

        Object property(String key) {
            return properties.get(key);
        }
    }

    private static final class TestEndpoint implements Endpoint, MessageSource, MessageSink, EndpointPanel {
        @Override
        public String id() {
            return "ep";
        }

        @Override
        public String protocol() {
            return "test";
        }

        @Override
        public EndpointStatus status() {
            return EndpointStatus.online("test");
        }

        @Override
        public EndpointMetrics metrics() {
            return new EndpointMetrics(0, 0, 0, 0, 0, 0, Map.of());
        }

        @Override
        public String canonicalChannel(String channel) {
            return channel;
        }

        @Override
        public Subscription watchStatus(EndpointStatusListener listener) {
            return () -> { };
        }

        @Override
        public Subscription subscribe(MessageListener listener) {
            return () -> { };
        }

        @Override
        public CompletionStage<Void> send(Message message) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public List<Table> tables() {
            return List.of();
        }
    }

    @Test
    void registersOneObjectAsTheFourServicesWithIdAndProtocol() {
        Framework framework = new Framework();
        TestEndpoint endpoint = new TestEndpoint();
        EndpointRegistration registration = EndpointRegistration.register(framework.context(), endpoint, "ep", "test");
        assertArrayEquals(new String[] {Endpoint.class.getName(), MessageSource.class.getName(),
                MessageSink.class.getName(), EndpointPanel.class.getName()}, framework.services);
        assertSame(endpoint, framework.service);
        assertEquals("ep", framework.property(Endpoint.ENDPOINT_PROPERTY));
        assertEquals("test", framework.property(Endpoint.PROTOCOL_PROPERTY));
        assertEquals(2, framework.properties.size());
        assertEquals("ep", registration.id());
    }

    @Test
    void aRenameUpdatesTheIdAndKeepsTheProtocol() {
        Framework framework = new Framework();
        EndpointRegistration registration =
                EndpointRegistration.register(framework.context(), new TestEndpoint(), "ep", "test");
        registration.rename("ep");
        assertEquals(List.of("register"), framework.calls, "the same id changes nothing");
        registration.rename("renamed");
        assertEquals(List.of("register", "setProperties"), framework.calls);
        assertEquals("renamed", framework.property(Endpoint.ENDPOINT_PROPERTY));
        assertEquals("test", framework.property(Endpoint.PROTOCOL_PROPERTY));
        assertEquals("renamed", registration.id());
    }

    @Test
    void closeUnregistersOnceAndARenameAfterwardsDoesNothing() {
        Framework framework = new Framework();
        EndpointRegistration registration =
                EndpointRegistration.register(framework.context(), new TestEndpoint(), "ep", "test");
        registration.close();
        registration.close();
        registration.rename("renamed");
        assertEquals(List.of("register", "unregister"), framework.calls);
    }

    /** Bad input: the bundle is stopping and the framework unregistered the services first. */
    @Test
    void closeToleratesAFrameworkThatUnregisteredFirst() {
        Framework framework = new Framework();
        framework.unregisteredFirst = true;
        EndpointRegistration registration =
                EndpointRegistration.register(framework.context(), new TestEndpoint(), "ep", "test");
        registration.close();
        registration.close();
        assertEquals(List.of("register", "unregister"), framework.calls);
    }
}
