package dev.switchboard.console.internal;

import java.io.File;
import java.io.IOException;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log when a jar dropped into {@code deploy/} cannot be installed. FileInstall skips
 * a corrupt jar, or one that is no OSGi bundle, without a word; by claiming exactly those jars this
 * installer turns them into an error line naming the file and the reason. Valid bundles are left
 * to FileInstall.
 */
@Component
public class UnusableJarReporter implements ArtifactInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(UnusableJarReporter.class);

    @Override
    public boolean canHandle(File artifact) {
        return artifact.getName().endsWith(".jar") && problem(artifact) != null;
    }

    @Override
    public void install(File artifact) {
        LOG.error("{} was not installed: {}", artifact, problem(artifact));
    }

    @Override
    public void update(File artifact) {
        install(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        LOG.info("{} was removed", artifact);
    }

    /** Why {@code jar} is not an installable bundle, or null when it is one. */
    static String problem(File jar) {
        try (JarFile file = new JarFile(jar)) {
            Manifest manifest = file.getManifest();
            if (manifest == null || manifest.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                return "not an OSGi bundle (no Bundle-SymbolicName in its manifest)";
            }
            return null;
        } catch (IOException e) {
            return "not a readable jar (" + e.getMessage() + ")";
        }
    }
}
