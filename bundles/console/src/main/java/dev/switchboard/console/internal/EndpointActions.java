package dev.switchboard.console.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Web Console tab's buttons do to an endpoint, through its configuration in Config
 * Admin (and so in its {@code etc/*.cfg} file): switch it off and on ({@code enabled}), and
 * restart it (off, then, once it is, back to the configuration it had). An endpoint's configuration is the
 * Switchboard configuration whose {@code id} is the endpoint's id, or the only one of its protocol
 * without an {@code id} (the endpoint then has its adapter's default id).
 */
@Component(service = EndpointActions.class)
public class EndpointActions {

    private static final Logger LOG = LoggerFactory.getLogger(EndpointActions.class);
    private static final String PREFIX = "dev.switchboard.";
    private static final String ENABLED = "enabled";
    /** How long a restart waits for the endpoint to say it is off before switching it back on. */
    static final Duration RESTART_WAIT = Duration.ofSeconds(10);

    private volatile ConfigurationAdmin configurationAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setConfigurationAdmin(ConfigurationAdmin admin) {
        configurationAdmin = admin;
    }

    void unsetConfigurationAdmin(ConfigurationAdmin admin) {
        if (configurationAdmin == admin) {
            configurationAdmin = null;
        }
    }

    /** Switches endpoint {@code id} on or off; says what it did, in words. */
    String setEnabled(String id, String protocol, boolean enabled) throws IOException {
        Configuration configuration = configurationOf(id, protocol);
        Dictionary<String, Object> properties = configuration.getProperties();
        properties.put(ENABLED, enabled);
        configuration.update(properties);
        LOG.info("Endpoint {} {} from the Web Console", id, enabled ? "enabled" : "disabled");
        return "endpoint " + id + (enabled ? " enabled" : " disabled");
    }

    /**
     * Stops the endpoint and starts it again with the configuration it has: switched off, and
     * once it says it is, switched back (Config Admin hands a component only the latest of two
     * quick updates, which would be no change at all). Returns at once.
     */
    String restart(Endpoint endpoint, String protocol) throws IOException {
        String id = endpoint.id();
        if (endpoint.status().detail() == EndpointStatus.Detail.DISABLED) {
            throw new IllegalArgumentException("endpoint " + id + " is disabled: enable it");
        }
        Configuration configuration = configurationOf(id, protocol);
        Dictionary<String, Object> properties = configuration.getProperties();
        Dictionary<String, Object> off = new Hashtable<>();
        for (String key : Collections.list(properties.keys())) {
            off.put(key, properties.get(key));
        }
        off.put(ENABLED, false);
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Subscription watching = endpoint.watchStatus((which, status) -> {
            if (status.detail() == EndpointStatus.Detail.DISABLED) {
                stopped.complete(null);
            }
        });
        configuration.update(off);
        // back on when it is off, or after the wait whatever it says: a restart never leaves it off
        stopped.completeOnTimeout(null, RESTART_WAIT.toMillis(), TimeUnit.MILLISECONDS).whenCompleteAsync((done, e) -> {
            watching.close();
            try {
                configuration.update(properties);
            } catch (IOException | IllegalStateException failed) {
                LOG.warn("Endpoint {} could not be switched back on after a restart: {}", id, failed.toString());
            }
        });
        LOG.info("Endpoint {} restarted from the Web Console", id);
        return "endpoint " + id + " restarting";
    }

    private Configuration configurationOf(String id, String protocol) throws IOException {
        ConfigurationAdmin admin = configurationAdmin;
        if (admin == null) {
            throw new IllegalStateException("Config Admin is not running");
        }
        Configuration[] all;
        try {
            all = admin.listConfigurations("(service.factoryPid=" + PREFIX + "*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Configuration> named = new ArrayList<>();
        List<Configuration> unnamed = new ArrayList<>();
        for (Configuration configuration : all == null ? new Configuration[0] : all) {
            Object configured = configuration.getProperties().get("id");
            if (id.equals(configured)) {
                named.add(configuration);
            } else if (configured == null && configuration.getFactoryPid().startsWith(PREFIX + protocol)) {
                unnamed.add(configuration);
            }
        }
        List<Configuration> found = named.isEmpty() ? unnamed : named;
        if (found.size() != 1) {
            throw new IllegalArgumentException(found.isEmpty()
                    ? "no configuration of endpoint " + id + " in Config Admin"
                    : found.size() + " configurations name endpoint " + id + ": give each its own id");
        }
        return found.get(0);
    }
}
