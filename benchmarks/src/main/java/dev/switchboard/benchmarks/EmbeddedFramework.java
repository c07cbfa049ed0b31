package dev.switchboard.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Switchboard's bundles and the runtime they need (SCR, Config Admin, Tyrus, Jackson, SLF4J) in an
 * embedded Felix framework, used as any other bundle uses them: through their services. The
 * bundles are the jars under {@code framework/} in this module's jar (the pom copies them there).
 *
 * <p>The benchmarks and the bundles share the public packages in {@link #SHARED}: the system
 * bundle exports them from this class path, at the version the bundle that owns them declares,
 * and those bundles import their own exports, so a service such as {@code WebSocketTransport}
 * is of the class the benchmark knows. A jar that exports nothing else and runs nothing (the api
 * bundle) is left out.
 */
final class EmbeddedFramework implements AutoCloseable {

    static final List<String> SHARED = List.of("dev.switchboard.api", "dev.switchboard.transport",
            "dev.switchboard.router", "org.osgi.service.cm");
    private static final long TIMEOUT_MILLIS = 30_000;

    private final Framework framework;
    private final Path storage;
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

    private EmbeddedFramework(Framework framework, Path storage) {
        this.framework = framework;
        this.storage = storage;
    }

    /** Boots a fresh framework and starts every bundle under {@code framework/}. */
    static EmbeddedFramework start() throws Exception {
        Map<String, byte[]> jars = bundleJars();
        Map<String, Manifest> manifests = new TreeMap<>();
        Map<String, String> versions = new HashMap<>();
        for (Map.Entry<String, byte[]> jar : jars.entrySet()) {
            try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar.getValue()))) {
                Manifest manifest = in.getManifest();
                manifests.put(jar.getKey(), manifest);
                exports(manifest).forEach((name, version) -> {
                    if (SHARED.contains(name)) {
                        versions.put(name, version);
                    }
                });
            }
        }
        if (!versions.keySet().containsAll(SHARED)) {
            throw new IllegalStateException("no bundle under framework/ exports every one of " + SHARED);
        }
        Path storage = Files.createTempDirectory("switchboard-framework-");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SHARED.stream()
                .map(name -> name + ";version=" + versions.get(name)).collect(Collectors.joining(",")));
        config.put("ds.loglevel", "warn");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        Framework framework = factory.newFramework(config);
        framework.start();
        EmbeddedFramework embedded = new EmbeddedFramework(framework, storage);
        List<Bundle> bundles = new ArrayList<>();
        for (Map.Entry<String, byte[]> jar : jars.entrySet()) {
            if (!sharedOnly(manifests.get(jar.getKey()))) {
                bundles.add(framework.getBundleContext().installBundle("framework:" + jar.getKey(),
                        new ByteArrayInputStream(jar.getValue())));
            }
        }
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    bundle.start();
                } catch (BundleException e) {
                    embedded.close();
                    throw new IllegalStateException(bundle.getSymbolicName() + " does not start", e);
                }
            }
        }
        return embedded;
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    /** The service of {@code type}, waiting for it up to 30 s. */
    <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context(), type, null);
        tracker.open();
        trackers.add(tracker);
        T service = tracker.waitForService(TIMEOUT_MILLIS);
        if (service == null) {
            throw new IllegalStateException("no " + type.getName() + " service");
        }
        return service;
    }

    /** Creates a factory configuration through Config Admin, as a {@code .cfg} file in etc/ would. */
    void configure(String factoryPid, String name, Map<String, Object> properties) throws Exception {
        Dictionary<String, Object> values = new Hashtable<>(properties);
        service(ConfigurationAdmin.class).getFactoryConfiguration(factoryPid, name, "?").update(values);
    }

    @Override
    public void close() throws Exception {
        trackers.forEach(ServiceTracker::close);
        framework.stop();
        framework.waitForStop(TIMEOUT_MILLIS);
        try (Stream<Path> files = Files.walk(storage)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The jars under {@code framework/}, by file name, whether this module runs from its jar or its classes folder. */
    private static Map<String, byte[]> bundleJars() throws IOException, URISyntaxException {
        Path location = Path.of(EmbeddedFramework.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, byte[]> jars = new TreeMap<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.list(location.resolve("framework"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                    jars.put(file.getFileName().toString(), Files.readAllBytes(file));
                }
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (var entry : jar.stream().filter(e -> e.getName().matches("framework/[^/]+\\.jar")).toList()) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        jars.put(entry.getName().substring("framework/".length()), in.readAllBytes());
                    }
                }
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no bundles under framework/ in " + location);
        }
        return jars;
    }

    /** A bundle that only exports packages the class path provides and runs nothing (the api bundle). */
    private static boolean sharedOnly(Manifest manifest) {
        var exports = exports(manifest).keySet();
        var headers = manifest.getMainAttributes();
        return !exports.isEmpty() && SHARED.containsAll(exports) && headers.getValue("Service-Component") == null
                && headers.getValue(Constants.BUNDLE_ACTIVATOR) == null;
    }

    /** The packages a bundle's Export-Package header names, with their versions ("0.0.0" if none). */
    static Map<String, String> exports(Manifest manifest) {
        Map<String, String> exports = new HashMap<>();
        String header = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
        if (header == null) {
            return exports;
        }
        for (String clause : split(header, ',')) {
            List<String> names = new ArrayList<>();
            String version = "0.0.0";
            for (String part : split(clause, ';')) {
                String item = part.strip();
                if (item.startsWith("version=")) {
                    version = item.substring("version=".length()).replace("\"", "");
                } else if (!item.contains("=")) {
                    names.add(item);
                }
            }
            for (String name : names) {
                exports.put(name, version);
            }
        }
        return exports;
    }

    /** Splits on {@code separator} outside double quotes (a uses:="a,b" directive holds commas). */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }
}
