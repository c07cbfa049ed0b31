package dev.switchboard.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.router.Direction;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.GatewayRegistry;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The runtime every integration test boots: a real Felix with SCR, Config Admin, Metatype, Tyrus,
 * Jackson, SLF4J (all from target/runtime-bundles, see the pom), every Switchboard bundle from the
 * reactor, the test endpoints bundle, the loopback doubles and the echo example adapter.
 */
public abstract class SwitchboardTestSupport {

    /** Every bundle of bundles/, by directory: each is dev.switchboard.&lt;name&gt;. */
    static final String[] SWITCHBOARD_BUNDLES =
            {"api", "endpoint", "transport", "router", "channels", "tracker", "kosmi", "relay", "proxy", "console"};
    static final String FIXTURES = "dev.switchboard.itests.fixtures";
    static final String PEERS = "dev.switchboard.itests.peers";
    static final String ECHO = "dev.switchboard.example.echo";

    @Inject
    protected BundleContext context;

    @Inject
    protected ConfigurationAdmin configAdmin;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final List<org.osgi.service.cm.Configuration> configurations = new ArrayList<>();

    @Configuration
    public Option[] config() {
        List<Option> runtime = new ArrayList<>();
        File[] jars = new File(System.getProperty("switchboard.runtimeBundles")).listFiles((d, n) -> n.endsWith(".jar"));
        Arrays.sort(jars);
        for (File jar : jars) {
            runtime.add(bundle(jar.toURI().toString()));
        }
        // what the console imports (Web Console plugin API, FileInstall's ArtifactInstaller): resolved, never started
        File[] resolveOnly = new File(System.getProperty("switchboard.resolveOnlyBundles"))
                .listFiles((d, n) -> n.endsWith(".jar"));
        Arrays.sort(resolveOnly);
        for (File jar : resolveOnly) {
            runtime.add(bundle(jar.toURI().toString()).start(false));
        }
        String version = System.getProperty("switchboard.version");
        for (String name : SWITCHBOARD_BUNDLES) {
            File jar = new File(System.getProperty("switchboard.bundles"),
                    name + "/target/switchboard-" + name + "-" + version + ".jar");
            runtime.add(bundle(jar.toURI().toString()));
        }
        runtime.add(bundle(new File(System.getProperty("switchboard.fixtures")).toURI().toString()));
        runtime.add(bundle(new File(System.getProperty("switchboard.echo")).toURI().toString()));
        runtime.add(bundle(new File(System.getProperty("switchboard.peers")).toURI().toString()));
        return options(
                systemProperty("org.ops4j.pax.url.mvn.localRepository")
                        .value(System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
                systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("info"),
                systemProperty("org.slf4j.simpleLogger.showDateTime").value("true"),
                frameworkProperty("ds.loglevel").value("warn"),
                composite(runtime.toArray(new Option[0])),
                junitBundles());
    }

    /** Removes what the test registered and configured, so classes can share a framework. */
    @org.junit.After
    public void cleanUp() throws Exception {
        for (ServiceRegistration<?> registration : registrations) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test itself
            }
        }
        registrations.clear();
        for (org.osgi.service.cm.Configuration configuration : configurations) {
            configuration.delete();
        }
        configurations.clear();
    }

    /** Creates a factory configuration, deleted after the test. */
    protected org.osgi.service.cm.Configuration configure(String factoryPid, String name, Object... keyValues)
            throws Exception {
        org.osgi.service.cm.Configuration configuration = configAdmin.getFactoryConfiguration(factoryPid, name, "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        configuration.update(properties);
        configurations.add(configuration);
        return configuration;
    }

    /** A gateway configuration through Config Admin, as a user's .cfg file would give it. */
    protected org.osgi.service.cm.Configuration gateway(String name, String... members) throws Exception {
        return configure("dev.switchboard.gateway", name, "name", name, "members", members);
    }

    /** A recording sink endpoint in the fixtures bundle; what it is sent goes to {@link #recorder}. */
    protected void recordingSink(String endpoint) throws Exception {
        configure("dev.switchboard.test.recording", endpoint, "switchboard.endpoint", endpoint);
    }

    /** An endpoint in the fixtures bundle that loops messages through a real WebSocket. */
    protected void webSocketLoop(String endpoint) throws Exception {
        configure("dev.switchboard.test.wsloop", endpoint, "switchboard.endpoint", endpoint);
    }

    /** An endpoint of the echo example adapter (docs/adapters.md): what it is sent comes back out of its source. */
    protected org.osgi.service.cm.Configuration echo(String endpoint, Object... keyValues) throws Exception {
        List<Object> properties = new ArrayList<>(List.of("id", endpoint));
        properties.addAll(Arrays.asList(keyValues));
        return configure("dev.switchboard.echo", endpoint, properties.toArray());
    }

    /** Registers a listener receiving what the recording sink {@code endpoint} is sent. */
    protected Recorder recorder(String endpoint) {
        Recorder recorder = new Recorder();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("switchboard.test.recorder", endpoint);
        registrations.add(context.registerService(MessageListener.class, recorder, properties));
        return recorder;
    }

    /** Registers a source endpoint the test drives directly. */
    protected TestSource source(String endpoint) {
        TestSource source = new TestSource(endpoint);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Endpoint.ENDPOINT_PROPERTY, endpoint);
        properties.put(Endpoint.PROTOCOL_PROPERTY, "test");
        registrations.add(context.registerService(MessageSource.class, source, properties));
        return source;
    }

    /** Waits until the gateway is active and every member's source and sink is present. */
    protected void awaitGatewayReady(String name) throws InterruptedException {
        await("gateway " + name + " is active with every member present", () -> gatewayInfo(name)
                .map(g -> g.active()
                        && g.members().stream().allMatch(m -> m.direction() == Direction.OUT || m.sourcePresent())
                        && g.members().stream().allMatch(m -> m.direction() == Direction.IN || m.sinkPresent()))
                .orElse(false));
    }

    /** The router's view of the gateway named {@code name}, if it has one. */
    protected Optional<GatewayInfo> gatewayInfo(String name) {
        ServiceReference<GatewayRegistry> ref = context.getServiceReference(GatewayRegistry.class);
        GatewayRegistry registry = ref == null ? null : context.getService(ref);
        if (registry == null) {
            return Optional.empty();
        }
        try {
            return registry.gateways().stream().filter(g -> g.name().equals(name)).findFirst();
        } finally {
            context.ungetService(ref);
        }
    }

    protected Bundle installed(String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    protected EndpointStatus.State endpointState(String endpoint) throws Exception {
        EndpointStatus status = endpointStatus(endpoint);
        return status == null ? null : status.state();
    }

    /** The status of the endpoint registered as {@code endpoint}, or null while none is. */
    protected EndpointStatus endpointStatus(String endpoint) throws Exception {
        for (ServiceReference<Endpoint> ref : context.getServiceReferences(Endpoint.class,
                "(" + Endpoint.ENDPOINT_PROPERTY + "=" + endpoint + ")")) {
            Endpoint service = context.getService(ref);
            if (service != null) {
                try {
                    return service.status();
                } finally {
                    context.ungetService(ref);
                }
            }
        }
        return null;
    }

    /** Waits for a condition ({@link Await}); a test never asserts how long it took, only that it happened. */
    protected static void await(String what, Await.Condition condition) throws InterruptedException {
        Await.until(what, condition);
    }

    /**
     * A source the test publishes into, as an adapter would from its protocol. As the api asks of
     * every source, what is emitted while nobody is subscribed (the router is starting) is held and
     * handed, in order, to the next listener.
     */
    protected static final class TestSource implements MessageSource {
        private final String endpoint;
        private final List<MessageListener> listeners = new CopyOnWriteArrayList<>();
        private final List<Message> held = new ArrayList<>();

        TestSource(String endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public synchronized Subscription subscribe(MessageListener listener) {
            held.forEach(listener::onMessage);
            held.clear();
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        synchronized Message emit(String channel, String author, String text) {
            Message message = Message.builder(endpoint, channel).author(author, author).text(text).build();
            if (listeners.isEmpty()) {
                held.add(message);
            }
            listeners.forEach(l -> l.onMessage(message));
            return message;
        }
    }

    /** Collects what a recording sink receives. */
    protected static final class Recorder implements MessageListener {
        final List<Message> messages = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(Message message) {
            messages.add(message);
        }

        int size() {
            return messages.size();
        }

        boolean received(Message message) {
            return messages.stream().anyMatch(m -> m.id().equals(message.id()));
        }

        /** The ids received, in order. */
        List<String> ids() {
            return messages.stream().map(Message::id).toList();
        }
    }
}
