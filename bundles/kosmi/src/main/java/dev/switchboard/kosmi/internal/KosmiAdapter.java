package dev.switchboard.kosmi.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageListener;
import dev.switchboard.api.MessageSink;
import dev.switchboard.api.MessageSource;
import dev.switchboard.api.Subscription;
import dev.switchboard.kosmi.internal.KosmiCodec.NewMessage;
import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.EndpointRegistration;
import dev.switchboard.transport.MessagePublisher;
import dev.switchboard.transport.WebSocketTransport;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured Kosmi account: a {@link KosmiClient} plus its {@link Endpoint},
 * {@link MessageSource} and {@link MessageSink} services. Room messages become messages on the
 * room's id ({@code @room}); routed chat messages are sent into the room their channel names.
 */
@Component(configurationPid = "dev.switchboard.kosmi", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = KosmiConfig.class, factory = true)
public class KosmiAdapter implements Endpoint, MessageSource, MessageSink {

    private static final Logger LOG = LoggerFactory.getLogger(KosmiAdapter.class);

    static final String PROTOCOL = "kosmi";

    /** Messages waiting for listeners before new ones are dropped (and counted as errors). */
    private static final int SOURCE_QUEUE = 10_000;

    @Reference
    private WebSocketTransport transport;

    private final MessagePublisher publisher = new MessagePublisher(PROTOCOL, SOURCE_QUEUE);
    /** Where tokens are kept, one file per endpoint id; null keeps them in memory. */
    private Function<String, Path> tokenFiles = id -> null;
    private String id = "";
    private KosmiClient client;
    private EndpointRegistration registration;
    private volatile EndpointStatus status = EndpointStatus.offline("not started");

    public KosmiAdapter() {
    }

    /** Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS; tokens under {@code dataFolder}. */
    KosmiAdapter(WebSocketTransport transport, Path dataFolder) {
        this.transport = transport;
        this.tokenFiles = tokenFile -> dataFolder == null ? null : dataFolder.resolve(tokenFile);
    }

    @Activate
    void activate(BundleContext context, KosmiConfig config) {
        tokenFiles = tokenFile -> {
            File file = context.getDataFile(tokenFile);
            return file == null ? null : file.toPath();
        };
        configure(config);
        registration = EndpointRegistration.register(context, this, id(), PROTOCOL);
    }

    @Modified
    void modified(KosmiConfig config) {
        stop();
        configure(config);
        if (registration != null) {
            registration.rename(id());
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.close();
            registration = null;
        }
        stop();
    }

    /** Starts from a configuration; a configuration that cannot work is OFFLINE with its reason, never an exception. */
    private void configure(KosmiConfig config) {
        KosmiClient.Settings settings;
        try {
            settings = settings(config);
        } catch (IllegalArgumentException e) {
            synchronized (this) {
                id = config.id() == null ? "" : config.id();
                status = EndpointStatus.offline("invalid configuration: " + e.getMessage());
            }
            LOG.error("{}: {}", id(), status.reason());
            return;
        }
        start(settings);
    }

    /** Starts logging in and connecting in the background; returns at once. */
    synchronized void start(KosmiClient.Settings settings) {
        id = settings.id();
        publisher.start(settings.id());
        TokenStore tokens = new TokenStore(tokenFiles.apply("token-" + settings.id().replaceAll("[^A-Za-z0-9._-]", "_")));
        client = new KosmiClient(transport, settings, tokens, this::received);
        client.start();
    }

    /** Closes the WebSocket and every thread the endpoint started. Idempotent. */
    void stop() {
        KosmiClient running;
        synchronized (this) {
            running = client;
            client = null;
            publisher.stop();
            status = EndpointStatus.offline("stopped");
        }
        if (running != null) {
            running.close();
        }
    }

    static KosmiClient.Settings settings(KosmiConfig config) {
        String id = config.id() == null || config.id().isBlank() ? "kosmi" : config.id().trim();
        Set<String> rooms = new LinkedHashSet<>();
        for (String entry : config.rooms() == null ? new String[0] : config.rooms()) {
            // one .cfg line may list several rooms
            for (String spelling : entry.split("[,\\s]+")) {
                if (!spelling.isBlank()) {
                    String room = RoomId.normalise(spelling);
                    LOG.info("{}: extracted room ID: {} (from \"{}\")", id, room, spelling);
                    rooms.add(room);
                }
            }
        }
        if (rooms.isEmpty()) {
            throw new IllegalArgumentException("no room configured");
        }
        URI graphql = URI.create(config.graphqlUrl().trim());
        if (!"http".equalsIgnoreCase(graphql.getScheme()) && !"https".equalsIgnoreCase(graphql.getScheme())) {
            throw new IllegalArgumentException("GraphQL URL must be http:// or https://, got " + graphql);
        }
        URI webSocket = URI.create(config.webSocketUrl().trim());
        if (!"ws".equalsIgnoreCase(webSocket.getScheme()) && !"wss".equalsIgnoreCase(webSocket.getScheme())) {
            throw new IllegalArgumentException("WebSocket URL must be ws:// or wss://, got " + webSocket);
        }
        return new KosmiClient.Settings(id, new ArrayList<>(rooms), graphql, webSocket, config.token(),
                config.displayName(), config.userAgent(), config.origin(), config.appVersion(),
                seconds(config.loginTimeoutSeconds()), seconds(config.ackTimeoutSeconds()),
                seconds(config.sendTimeoutSeconds()), Duration.ofSeconds(Math.max(0, config.keepaliveSeconds())),
                new Backoff(Duration.ofMillis(Math.max(1, config.retryInitialMillis())),
                        Duration.ofMillis(Math.max(Math.max(1, config.retryInitialMillis()), config.retryMaxMillis())),
                        0.2),
                Math.max(1024, config.maxMessageBytes()));
    }

    private static Duration seconds(int value) {
        return Duration.ofSeconds(Math.max(1, value));
    }

    // --- MessageSource ------------------------------------------------------------------------

    @Override
    public Subscription subscribe(MessageListener listener) {
        return publisher.subscribe(listener);
    }

    /** A room message from the client's thread: becomes a message on the source thread. */
    private void received(String room, NewMessage message) {
        publisher.publish(() -> message(room, message));
    }

    private Message message(String room, NewMessage received) {
        return Message.builder(id(), room)
                .author(received.username(), received.displayName())
                .text(received.body())
                .time(received.time())
                .data(received.data())
                .build();
    }

    // --- MessageSink --------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> send(Message message) {
        KosmiClient running;
        synchronized (this) {
            running = client;
        }
        if (running == null) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "offline: " + status().reason()));
        }
        if (message.text() == null) {
            return CompletableFuture.failedFuture(new DeliveryException(id(),
                    "Kosmi carries chat text only; " + message.event() + " has none"));
        }
        String room;
        try {
            room = RoomId.normalise(message.channel());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), e.getMessage()));
        }
        return running.send(room, message.text());
    }

    // --- Endpoint -----------------------------------------------------------------------------

    @Override
    public synchronized String id() {
        return id;
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public EndpointStatus status() {
        KosmiClient running;
        synchronized (this) {
            running = client;
        }
        return running == null ? status : running.status();
    }

    @Override
    public EndpointMetrics metrics() {
        KosmiClient running;
        synchronized (this) {
            running = client;
        }
        if (running == null) {
            return new EndpointMetrics(0, 0, 0, 0, publisher.dropped(), 0, Map.of());
        }
        ConnectionMetrics.Snapshot m = running.transportMetrics();
        return new EndpointMetrics(running.messagesIn(), running.messagesOut(), m.bytesIn(), m.bytesOut(),
                running.errors() + publisher.dropped(), m.reconnects(), running.details());
    }
}
