package dev.switchboard.relay.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSupport;
import dev.switchboard.transport.WebSocketTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured relay client: a {@link RelayClient} on the endpoint skeleton, exposing a local
 * service under a tunnel name. Registration and loss become messages on {@code tunnel:<name>}.
 */
@Component(configurationPid = "dev.switchboard.relay.client", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = RelayClientConfig.class, factory = true)
public class RelayClientAdapter extends EndpointSupport<RelayClient.Settings> implements RelayClient.Listener {

    static final String PROTOCOL = "relay-client";

    @Reference
    private WebSocketTransport transport;

    private volatile RelayClient client;

    public RelayClientAdapter() {
        super(PROTOCOL);
    }

    /** Outside OSGi (tests, benchmarks): {@link #start} and {@link #stop} instead of DS. */
    RelayClientAdapter(WebSocketTransport transport) {
        this();
        this.transport = transport;
    }

    @Activate
    void activate(BundleContext context, RelayClientConfig config) {
        activateEndpoint(context, config, RelayClientAdapter::settings);
    }

    @Modified
    void modified(RelayClientConfig config) {
        modifyEndpoint(config, RelayClientAdapter::settings);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    static RelayClient.Settings settings(RelayClientConfig config) {
        String tunnel = ConfigCheck.notBlank("tunnel", config.tunnel()).trim().toLowerCase(java.util.Locale.ROOT);
        if (!Tokens.validName(tunnel)) {
            throw new IllegalArgumentException("tunnel must be a DNS label (a-z, 0-9, -), got " + tunnel);
        }
        return new RelayClient.Settings(ConfigCheck.notBlank("id", config.id()),
                ConfigCheck.uri("relayUrl", config.relayUrl(), "ws"), ConfigCheck.notBlank("token", config.token()),
                tunnel, ConfigCheck.uri("localUrl", config.localUrl(), "http"));
    }

    @Override
    protected synchronized void startProtocol(RelayClient.Settings settings) {
        RelayClient next = new RelayClient(transport, settings, this);
        client = next;
        next.start();
        repeat(LocalConnections.IDLE_TIMEOUT.dividedBy(3), next.localConnections()::closeIdle);
        updateStatus(State.CONNECTING, Detail.NONE, "connecting to " + settings.relayUrl());
    }

    /** A restart keeps the open WebSockets (their data connections are their own); a removal drops them. */
    @Override
    protected synchronized void stopProtocol(boolean restarting) {
        RelayClient running = client;
        client = null;
        if (running != null) {
            running.stop(!restarting);
        }
    }

    /** The running client (tests). */
    RelayClient client() {
        return client;
    }

    @Override
    public void registered() {
        RelayClient.Settings settings = settings();
        updateStatus(State.ONLINE, Detail.NONE, "tunnel " + settings.tunnel() + " registered at " + settings.relayUrl());
        publish(Message.builder(id(), "tunnel:" + settings.tunnel()).event("registered")
                .data(Map.of("relay", settings.relayUrl().toString())).build());
    }

    @Override
    public void lost(int code, String reason) {
        RelayClient.Settings settings = settings();
        if (code == RelayServer.UNAUTHORIZED) {
            updateStatus(State.OFFLINE, Detail.AUTHENTICATION_FAILED, "the relay refused the token");
            log.warn("{}: the relay refused the token; not reconnecting", id());
        } else if (code == RelayServer.NAME_HELD) {
            updateStatus(State.CONNECTING, Detail.COMMUNICATION_ERROR, "tunnel " + settings.tunnel()
                    + " is held by another client");
        }
        publish(Message.builder(id(), "tunnel:" + settings.tunnel()).event("lost")
                .data(Map.of("code", code, "reason", reason)).build());
    }

    @Override
    public void retrying(Duration delay, String reason) {
        if (status().detail() != Detail.COMMUNICATION_ERROR || !status().reason().contains("held")) {
            updateStatus(State.CONNECTING, Detail.COMMUNICATION_ERROR, reason + "; retrying in " + delay.toSeconds() + " s");
        }
    }

    @Override
    protected CompletionStage<Void> deliver(Message message) {
        return CompletableFuture.failedFuture(new DeliveryException(id(), "a relay client takes no messages"));
    }

    @Override
    protected Map<String, Object> details() {
        RelayClient running = client;
        return running == null ? Map.of() : Map.of("openWebSockets", running.openWebSockets(),
                "openRequests", running.openRequests(), "idleLocalConnections", running.idleLocalConnections());
    }
}
