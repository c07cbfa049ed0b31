package dev.switchboard.console.internal;

import java.util.Arrays;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a newer version of a Switchboard adapter bundle replace the older one. FileInstall installs a jar dropped into
 * {@code deploy/} with a higher version next to the running one (it updates in place only for
 * the same version), and two adapter bundles would then serve the same configurations and fight
 * for their ports. On the newer bundle's INSTALLED event, before anything starts it, the older
 * versions are uninstalled: their endpoints close, the router holds their messages, and the
 * newer bundle takes over the configurations when it starts.
 *
 * <p>Only adapters are replaced, and only by the same adapter: both bundles must name the same
 * adapter in their {@value #ADAPTER_HEADER} header. The api, endpoint, transport, router and
 * console bundles carry none and are never uninstalled here, whatever is dropped in.
 */
@Component(immediate = true, service = {})
public class SupersededBundleUninstaller implements SynchronousBundleListener {

    private static final Logger LOG = LoggerFactory.getLogger(SupersededBundleUninstaller.class);
    /** The manifest header naming the adapter a bundle is (channels, kosmi, …). */
    static final String ADAPTER_HEADER = "Switchboard-Adapter";

    private final BundleContext context;

    @Activate
    public SupersededBundleUninstaller(BundleContext context) {
        this.context = context;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() != BundleEvent.INSTALLED) {
            return;
        }
        Bundle installed = event.getBundle();
        for (Bundle older : superseded(installed, context.getBundles())) {
            replace(older, installed);
        }
    }

    /** The bundles {@code newer} replaces: older versions of the same adapter, never anything else. */
    static List<Bundle> superseded(Bundle newer, Bundle[] installed) {
        String name = newer.getSymbolicName();
        String adapter = adapterOf(newer);
        if (name == null || adapter == null) {
            return List.of();
        }
        return Arrays.stream(installed)
                .filter(older -> older.getBundleId() != newer.getBundleId()
                        && name.equals(older.getSymbolicName())
                        && adapter.equals(adapterOf(older))
                        && older.getVersion().compareTo(newer.getVersion()) < 0)
                .toList();
    }

    private static String adapterOf(Bundle bundle) {
        String adapter = bundle.getHeaders("").get(ADAPTER_HEADER);
        return adapter == null || adapter.isBlank() ? null : adapter.trim();
    }

    private void replace(Bundle older, Bundle newer) {
        LOG.info("{} {} (bundle {}, {}) replaces version {} (bundle {}): uninstalling the older one",
                newer.getSymbolicName(), newer.getVersion(), newer.getBundleId(), newer.getLocation(),
                older.getVersion(), older.getBundleId());
        try {
            older.uninstall();
            context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(older));
        } catch (BundleException | IllegalStateException e) {
            LOG.error("cannot uninstall {} {} (bundle {}); both versions are installed now: {}",
                    older.getSymbolicName(), older.getVersion(), older.getBundleId(), e.toString());
        }
    }
}
