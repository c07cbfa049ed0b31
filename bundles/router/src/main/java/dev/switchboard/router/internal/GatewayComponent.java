package dev.switchboard.router.internal;

import org.osgi.framework.Constants;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * One gateway configuration (factory PID {@value #FACTORY_PID}) handed to the router. Edits arrive
 * through {@code @Modified}, so the gateway, its queues and its dedup memory live on.
 */
@Component(configurationPid = GatewayComponent.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = GatewayConfig.class, factory = true)
public class GatewayComponent {

    static final String FACTORY_PID = "dev.switchboard.gateway";
    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private final RouterComponent router;
    private final String pid;
    private final String defaultName;

    @Activate
    public GatewayComponent(@Reference RouterComponent router, GatewayConfig config, Map<String, Object> properties) {
        this.router = router;
        this.pid = String.valueOf(properties.get(Constants.SERVICE_PID));
        this.defaultName = defaultName(pid, properties.get(FILEINSTALL_FILENAME));
        router.configure(pid, settings(config));
    }

    @Modified
    void modified(GatewayConfig config) {
        router.configure(pid, settings(config));
    }

    /**
     * Removes the gateway when its configuration is deleted or disabled. When the router itself goes
     * away (its bundle updated or stopped), the gateway stays with the router, which hands its
     * queued messages to the next router.
     */
    @Deactivate
    void deactivate(int reason) {
        if (reason == ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED
                || reason == ComponentConstants.DEACTIVATION_REASON_DISABLED) {
            router.remove(pid);
        }
    }

    /** The settings, or an unreadable configuration (a value of the wrong type) as an inactive gateway with the reason. */
    private GatewaySettings settings(GatewayConfig config) {
        String name = defaultName;
        try {
            name = config.name().isBlank() ? defaultName : config.name();
            return new GatewaySettings(name, Arrays.asList(config.members()), config.nickFormat(),
                    config.queueCapacity(), Duration.ofSeconds(Math.max(1, config.maxAgeSeconds())), config.enabled());
        } catch (RuntimeException e) {
            return GatewaySettings.unreadable(name, "configuration cannot be read: " + e.getMessage());
        }
    }

    /**
     * The name a configuration gives itself: {@code main} for the named factory configuration
     * {@code dev.switchboard.gateway~main} or the file {@code dev.switchboard.gateway-main.cfg};
     * otherwise the PID.
     */
    static String defaultName(String pid, Object fileName) {
        int tilde = pid.indexOf('~');
        if (tilde >= 0) {
            return pid.substring(tilde + 1);
        }
        if (fileName != null) {
            String file = String.valueOf(fileName);
            file = file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
            int dot = file.lastIndexOf('.');
            String base = dot < 0 ? file : file.substring(0, dot);
            if (base.startsWith(FACTORY_PID + "-") && base.length() > FACTORY_PID.length() + 1) {
                return base.substring(FACTORY_PID.length() + 1);
            }
        }
        return pid;
    }
}
