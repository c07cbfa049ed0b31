package dev.switchboard.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnusableJarReporterTest {

    @TempDir
    Path dir;

    private final UnusableJarReporter reporter = new UnusableJarReporter();

    @Test
    void claimsACorruptJar() throws Exception {
        File broken = Files.writeString(dir.resolve("broken.jar"), "not a zip").toFile();
        assertTrue(reporter.canHandle(broken));
        assertTrue(UnusableJarReporter.problem(broken).startsWith("not a readable jar ("));
    }

    @Test
    void claimsAJarThatIsNoBundle() throws Exception {
        File plain = jar("plain.jar", null);
        assertTrue(reporter.canHandle(plain));
        assertEquals("not an OSGi bundle (no Bundle-SymbolicName in its manifest)", UnusableJarReporter.problem(plain));
    }

    @Test
    void leavesBundlesAndOtherFilesToFileInstall() throws Exception {
        File bundle = jar("bundle.jar", "dev.switchboard.example");
        assertNull(UnusableJarReporter.problem(bundle));
        assertFalse(reporter.canHandle(bundle));
        assertFalse(reporter.canHandle(Files.writeString(dir.resolve("x.cfg"), "a = b").toFile()));
    }

    private File jar(String name, String symbolicName) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        Path file = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), manifest)) {
            out.flush();
        }
        return file.toFile();
    }
}
