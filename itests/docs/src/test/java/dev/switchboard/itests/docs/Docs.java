package dev.switchboard.itests.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the repository is, and how two texts first differ. */
final class Docs {

    private Docs() {
    }

    /** The repository's root, as the build passes it ({@code switchboard.root}), else two levels up. */
    static Path root() {
        return Path.of(System.getProperty("switchboard.root", "../..")).toAbsolutePath().normalize();
    }

    static List<String> lines(String relativePath) throws IOException {
        return Files.readAllLines(root().resolve(relativePath));
    }

    /** The first line where {@code actual} leaves {@code expected}, for a failure message; null when equal. */
    static String firstDifference(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "(nothing)";
            String got = i < actual.size() ? actual.get(i) : "(nothing)";
            if (!want.equals(got)) {
                return "line " + (i + 1) + ": expected\n  " + want + "\nbut the doc has\n  " + got;
            }
        }
        return null;
    }
}
