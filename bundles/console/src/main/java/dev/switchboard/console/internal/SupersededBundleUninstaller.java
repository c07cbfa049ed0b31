package dev.switchboard.console.internal;

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
 * Makes a newer Switchboard bundle replace the older one. FileInstall installs a jar dropped into
 * {@code deploy/} with a higher version next to the running one (it updates in place only for
 * the same version), and two adapter bundles would then serve the same configurations and fight
 * for their ports. On the newer bundle's INSTALLED event, before anything starts it, the older
 * versions are uninstalled: their endpoints close, the router holds their messages, and the
 * newer bundle takes over the configurations when it starts.
 */
@Component(immediate = true, service = {})
public class SupersededBundleUninstaller implements SynchronousBundleListener {

    private static final Logger LOG = LoggerFactory.getLogger(SupersededBundleUninstaller.class);
    private static final String PREFIX = "dev.switchboard.";

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
        String name = installed.getSymbolicName();
        // never this bundle itself: uninstalling it from inside its own listener pulls the rug
        if (name == null || !name.startsWith(PREFIX) || name.equals(context.getBundle().getSymbolicName())) {
            return;
        }
        for (Bundle older : context.getBundles()) {
            if (older.getBundleId() != installed.getBundleId() && name.equals(older.getSymbolicName())
                    && older.getVersion().compareTo(installed.getVersion()) < 0) {
                replace(older, installed);
            }
        }
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
