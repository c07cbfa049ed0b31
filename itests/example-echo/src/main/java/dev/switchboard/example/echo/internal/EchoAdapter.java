package dev.switchboard.example.echo.internal;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.endpoint.EndpointSupport;
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
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured echo endpoint: every chat message it is sent comes back out of its source on the
 * same channel, behind the configured prefix. It has no peer to connect to, so it is online as
 * soon as it starts: the smallest adapter the endpoint skeleton carries.
 */
@Component(configurationPid = "dev.switchboard.echo", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = EchoConfig.class, factory = true)
public class EchoAdapter extends EndpointSupport<EchoAdapter.Settings> {

    /** Marks an echo in its data: no echo endpoint answers one, so two of them in a gateway cannot ping-pong. */
    static final String ECHO_OF = "echoOf";

    /** The configuration once checked. */
    public record Settings(String id, boolean enabled, String prefix, Duration delay) implements EndpointSettings {
    }

    public EchoAdapter() {
        super("echo");
    }

    @Activate
    void activate(BundleContext context, EchoConfig config) {
        activateEndpoint(context, config, EchoAdapter::settings);
    }

    @Modified
    void modified(EchoConfig config) {
        modifyEndpoint(config, EchoAdapter::settings);
    }

    @Deactivate
    void deactivate() {
        deactivateEndpoint();
    }

    /** Throws an IllegalArgumentException naming the key whose value cannot work. */
    static Settings settings(EchoConfig config) {
        return new Settings(ConfigCheck.notBlank("id", config.id()), config.enabled(),
                config.prefix() == null ? "" : config.prefix(),
                Duration.ofMillis(ConfigCheck.range("delayMillis", config.delayMillis(), 0, 60_000)));
    }

    @Override
    protected void startProtocol(Settings settings) {
        updateStatus(State.ONLINE, Detail.NONE, "echoing");
    }

    @Override
    protected void stopProtocol(boolean restarting) {
        // nothing to close: the skeleton cancels the echoes still waiting for their delay
    }

    /** Prefix and delay are read for each message: any edit that keeps the id applies without a restart. */
    @Override
    protected boolean applyLive(Settings current, Settings next) {
        return true;
    }

    @Override
    protected CompletionStage<Void> deliver(Message message) {
        if (!message.isChat() || message.text() == null) {
            return CompletableFuture.failedFuture(new DeliveryException(id(), "only chat text is echoed, not "
                    + message.event()));
        }
        if (message.data() instanceof Map<?, ?> data && data.containsKey(ECHO_OF)) {
            return CompletableFuture.completedFuture(null);
        }
        Settings settings = settings();
        Message echo = Message.builder(id(), message.channel())
                .author(message.author())
                .text(settings.prefix() + message.text())
                .data(Map.of(ECHO_OF, message.id()))
                .build();
        if (settings.delay().isZero()) {
            publish(echo);
        } else {
            schedule(settings.delay(), () -> publish(echo));
        }
        return CompletableFuture.completedFuture(null);
    }
}
