package dev.switchboard.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

class SupersededBundleUninstallerTest {

    /** A bundle that answers its id, name, version and headers; nothing else is asked. */
    private static Bundle bundle(long id, String name, String version, String adapter) {
        Hashtable<String, String> headers = new Hashtable<>();
        if (adapter != null) {
            headers.put(SupersededBundleUninstaller.ADAPTER_HEADER, adapter);
        }
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> name;
                    case "getVersion" -> Version.parseVersion(version);
                    case "getHeaders" -> headers;
                    case "toString" -> name + " " + version;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private final Bundle api = bundle(10, "dev.switchboard.api", "1.0.0", null);
    private final Bundle router = bundle(11, "dev.switchboard.router", "1.0.0", null);
    private final Bundle kosmi = bundle(12, "dev.switchboard.kosmi", "1.0.0", "kosmi");
    private final Bundle channels = bundle(13, "dev.switchboard.channels", "1.0.0", "channels");

    @Test
    void aNewerAdapterReplacesTheOlderVersionOfTheSameAdapterOnly() {
        Bundle newer = bundle(20, "dev.switchboard.kosmi", "1.1.0", "kosmi");
        assertEquals(List.of(kosmi), SupersededBundleUninstaller.superseded(newer,
                new Bundle[] {api, router, kosmi, channels, newer}));
    }

    /** Bad input: a newer api, transport or router jar dropped into deploy/ never uninstalls the running one. */
    @Test
    void coreBundlesAreNeverReplaced() {
        Bundle newerApi = bundle(21, "dev.switchboard.api", "2.0.0", null);
        Bundle newerRouter = bundle(22, "dev.switchboard.router", "2.0.0", null);
        Bundle[] all = {api, router, kosmi, channels, newerApi, newerRouter};
        assertEquals(List.of(), SupersededBundleUninstaller.superseded(newerApi, all));
        assertEquals(List.of(), SupersededBundleUninstaller.superseded(newerRouter, all));
    }

    /** Bad input: a jar claiming to be an adapter under a core bundle's name, or another adapter's name. */
    @Test
    void anAdapterHeaderMustMatchOnBothSides() {
        Bundle fakeRouter = bundle(23, "dev.switchboard.router", "9.0.0", "router");
        Bundle kosmiCalledChannels = bundle(24, "dev.switchboard.kosmi", "9.0.0", "channels");
        Bundle olderSame = bundle(25, "dev.switchboard.kosmi", "0.9.0", "kosmi");
        Bundle[] all = {api, router, kosmi, channels, fakeRouter, kosmiCalledChannels, olderSame};
        assertEquals(List.of(), SupersededBundleUninstaller.superseded(fakeRouter, all));
        assertEquals(List.of(), SupersededBundleUninstaller.superseded(kosmiCalledChannels, all));
        assertEquals(List.of(), SupersededBundleUninstaller.superseded(olderSame, all), "an older jar replaces nothing");
    }
}
