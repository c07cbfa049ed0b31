package dev.switchboard.kosmi.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSupport;
import dev.switchboard.endpoint.Traffic;
import dev.switchboard.kosmi.internal.KosmiCodec.NewMessage;
import dev.switchboard.transport.Backoff;
import dev.switchboard.transport.ConnectionMetrics;
import dev.switchboard.transport.WebSocketTransport;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured Kosmi account: a {@link KosmiClient} on the endpoint skeleton. Room messages
 * become messages on the room's id ({@code @room}); routed chat messages are sent into the room
 * their channel names, in any of the spellings {@link RoomId} knows.
 */
@Component(configurationPid = "dev.switchboard.kosmi", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = KosmiConfig.class, factory = true)
public class KosmiAdapter extends EndpointSupport<KosmiSettings> {

    static final String PROTOCOL = "kosmi";

    @Reference
    private WebSocketTransport transport;

    /** Where tokens are kept, one file per endpoint id; null keeps them in memory. */
    private Function<String, Path> tokenFiles = name -> null;
    private final LongAdder emptyMessages = new LongAdder();
    // written under this, read by protocol and router threads
    private volatile KosmiClient client;

    public KosmiAdapter() {
        super(PROTOCOL);
    }

    /**
     * Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS; tokens under
     * {@code dataFolder}.
     */
    KosmiAdapter(WebSocketTransport transport, Path dataFolder) {
        this();
        this.transport = transport;
        this.tokenFiles = name -> dataFolder == null ? null : dataFolder.resolve(name);
    }

    @Activate
    void activate(BundleContext context, KosmiConfig config) {
        tokenFiles = name -> {
            File file = context.getDataFile(name);
            return file == null ? null : file.toPath();
        };
        activateEndpoint(context, config, KosmiAdapter::settings);
    }

    @Modified
    void modified(KosmiConfig config) {
        modifyEndpoint(config, KosmiAdapter::settings);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    static KosmiSettings settings(KosmiConfig config) {
        String id = ConfigCheck.notBlank("id", config.id());
        Set<String> rooms = new LinkedHashSet<>();
        for (String entry : config.rooms() == null ? new String[0] : config.rooms()) {
            // one .cfg line may list several rooms
            for (String spelling : entry.split("[,\\s]+")) {
                if (!spelling.isBlank()) {
                    rooms.add(room("rooms", spelling));
                }
            }
        }
        if (rooms.isEmpty()) {
            throw new IllegalArgumentException("rooms is empty: name at least one room to join");
        }
        int initialMillis = ConfigCheck.positive("retryInitialMillis", config.retryInitialMillis());
        int maxMillis = ConfigCheck.range("retryMaxMillis", config.retryMaxMillis(), initialMillis, Integer.MAX_VALUE);
        return new KosmiSettings(id, config.enabled(), new ArrayList<>(rooms),
                ConfigCheck.uri("graphqlUrl", config.graphqlUrl(), "http", "https"),
                ConfigCheck.uri("webSocketUrl", config.webSocketUrl(), "ws", "wss"), config.token(),
                config.displayName(), ConfigCheck.notBlank("userAgent", config.userAgent()),
                ConfigCheck.notBlank("origin", config.origin()),
                ConfigCheck.notBlank("appVersion", config.appVersion()),
                ConfigCheck.seconds("loginTimeoutSeconds", config.loginTimeoutSeconds(), 1),
                ConfigCheck.seconds("ackTimeoutSeconds", config.ackTimeoutSeconds(), 1),
                ConfigCheck.seconds("sendTimeoutSeconds", config.sendTimeoutSeconds(), 1),
                ConfigCheck.seconds("keepaliveSeconds", config.keepaliveSeconds(), 0),
                new Backoff(Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis), 0.2),
                ConfigCheck.range("maxMessageBytes", config.maxMessageBytes(), KosmiSettings.MIN_MESSAGE_BYTES,
                        Integer.MAX_VALUE));
    }

    private static String room(String key, String spelling) {
        try {
            return RoomId.normalise(spelling);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    // --- the protocol -------------------------------------------------------------------------

    /** Starts logging in and connecting in the background; returns at once. */
    @Override
    protected synchronized void startProtocol(KosmiSettings settings) {
        log.info("{}: rooms {}", settings.id(), settings.rooms());
        String tokenFile = "token-" + settings.id().replaceAll("[^A-Za-z0-9._-]", "_");
        TokenStore tokens = new TokenStore(tokenFiles.apply(tokenFile));
        KosmiClient next = new KosmiClient(transport, settings, tokens, this::schedule, new KosmiClient.Events() {
            @Override
            public void received(String room, NewMessage message) {
                KosmiAdapter.this.received(room, message);
            }

            @Override
            public void status(State state, Detail detail, String reason) {
                updateStatus(state, detail, reason);
            }
        });
        client = next;
        next.start();
    }

    /** Closes the WebSocket with 1000 and ends every thread the client started. */
    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        KosmiClient running = client;
        client = null;
        if (running != null) {
            running.close();
        }
    }

    /** Rooms as a gateway member or a routed message names them: {@code @room} whatever the spelling. */
    @Override
    public String canonicalChannel(String channel) {
        return RoomId.normalise(channel);
    }

    // --- messages in and out --------------------------------------------------------------------

    /** A room message from the client's thread: becomes a message on the source thread, unless it says nothing. */
    private void received(String room, NewMessage received) {
        if (received.body().isBlank()) {
            emptyMessages.increment();
            log.debug("{}: ignored an empty message from {} in {}", id(), received.username(), room);
            return;
        }
        publish(() -> Message.builder(id(), room)
                .author(received.username(), received.displayName())
                .text(received.body())
                .time(received.time())
                .data(received.data())
                .build());
    }

    @Override
    protected CompletionStage<Void> deliver(Message message) {
        KosmiClient running = client;
        if (running == null) {
            return CompletableFuture.failedFuture(new EndpointUnavailableException(id(), "not connected: "
                    + status().reason()));
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

    // --- counters ------------------------------------------------------------------------------

    @Override
    protected Traffic traffic() {
        KosmiClient running = client;
        if (running == null) {
            return Traffic.NONE;
        }
        ConnectionMetrics.Snapshot m = running.transportMetrics();
        return new Traffic(m.bytesIn(), m.bytesOut(), running.errors(), m.reconnects());
    }

    @Override
    protected Map<String, Object> details() {
        KosmiClient running = client;
        Map<String, Object> details = new LinkedHashMap<>(running == null ? Map.of() : running.details());
        details.put("emptyMessagesIgnored", emptyMessages.sum());
        return details;
    }
}
