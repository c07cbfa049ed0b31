package dev.switchboard.console.internal;

import org.apache.felix.webconsole.BrandingPlugin;
import org.apache.felix.webconsole.DefaultBrandingPlugin;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The Web Console's name, title and logo: "Switchboard" and its version instead of Apache Karaf's,
 * with Karaf's icon and style sheet (the Web Console uses the branding service it finds over the
 * one it ships).
 */
@Component(service = BrandingPlugin.class)
public class ConsoleBranding implements BrandingPlugin {

    private final BrandingPlugin karaf = DefaultBrandingPlugin.getInstance();
    private final String product;

    @Activate
    public ConsoleBranding(BundleContext context) {
        this.product = "Switchboard " + mavenVersion(context.getBundle().getVersion());
    }

    /** 0.1.0.SNAPSHOT as Maven spells it: 0.1.0-SNAPSHOT. */
    static String mavenVersion(Version version) {
        String plain = version.getMajor() + "." + version.getMinor() + "." + version.getMicro();
        return version.getQualifier().isEmpty() ? plain : plain + "-" + version.getQualifier();
    }

    @Override
    public String getBrandName() {
        return product + " Web Console";
    }

    @Override
    public String getProductName() {
        return product;
    }

    @Override
    public String getProductURL() {
        return "/system/console/" + SwitchboardPlugin.LABEL;
    }

    @Override
    public String getProductImage() {
        return "/" + SwitchboardPlugin.LABEL + "/res/" + SwitchboardPlugin.LOGO;
    }

    @Override
    public String getVendorName() {
        return product + " on Apache Karaf";
    }

    @Override
    public String getVendorURL() {
        return karaf.getVendorURL();
    }

    @Override
    public String getVendorImage() {
        return karaf.getVendorImage();
    }

    @Override
    public String getFavIcon() {
        return karaf.getFavIcon();
    }

    @Override
    public String getMainStyleSheet() {
        return karaf.getMainStyleSheet();
    }
}
