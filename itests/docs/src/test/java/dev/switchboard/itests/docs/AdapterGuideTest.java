package dev.switchboard.itests.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/adapters.md shows the echo example as it is built and tested: a code block marked
 * {@code <!-- file: path -->} is that file, character for character; one marked
 * {@code <!-- excerpt: path -->} is a run of its consecutive lines.
 */
class AdapterGuideTest {

    static final String GUIDE = "docs/adapters.md";
    static final String EXAMPLE_SOURCES = "itests/example-echo/src/main/java";
    static final String EXAMPLE_BND = "itests/example-echo/bnd.bnd";
    private static final Pattern MARK = Pattern.compile("^<!-- (file|excerpt): (\\S+) -->$");

    record Block(String kind, String path, int line, List<String> code) {
    }

    private static List<Block> blocks;

    @BeforeAll
    static void readGuide() throws IOException {
        blocks = blocks(Docs.lines(GUIDE));
    }

    @Test
    void everyMarkedBlockIsItsFileOrAPartOfIt() throws IOException {
        assertFalse(blocks.isEmpty(), GUIDE + " marks no code block");
        for (Block block : blocks) {
            List<String> file = Docs.lines(block.path());
            String where = GUIDE + " line " + block.line() + " (" + block.kind() + " of " + block.path() + ")";
            if (block.kind().equals("file")) {
                String difference = Docs.firstDifference(file, block.code());
                assertNull(difference, where + " differs from the file, " + difference);
            } else {
                assertTrue(Collections.indexOfSubList(file, block.code()) >= 0,
                        where + " is no run of consecutive lines of the file");
            }
        }
    }

    /** The adapter is its sources and its bnd.bnd: the guide shows each whole. */
    @Test
    void theGuideShowsEveryFileOfTheExampleWhole() throws IOException {
        Set<String> shown = new TreeSet<>();
        blocks.stream().filter(b -> b.kind().equals("file")).forEach(b -> shown.add(b.path()));
        Set<String> adapter = new TreeSet<>(exampleSources());
        adapter.add(EXAMPLE_BND);
        assertEquals(adapter, shown);
    }

    @Test
    void theExampleStaysSmall() throws IOException {
        long lines = 0;
        for (String source : exampleSources()) {
            lines += Docs.lines(source).size();
        }
        assertTrue(lines < 150, "the example adapter has " + lines + " lines; the guide promises under 150");
    }

    private static Set<String> exampleSources() throws IOException {
        Path root = Docs.root();
        try (Stream<Path> files = Files.walk(root.resolve(EXAMPLE_SOURCES))) {
            Set<String> sources = new TreeSet<>();
            files.filter(Files::isRegularFile).forEach(f -> sources.add(root.relativize(f).toString().replace('\\', '/')));
            return sources;
        }
    }

    /** The marked fenced blocks: a mark line, then (after blank lines) a fence, the code, a closing fence. */
    static List<Block> blocks(List<String> guide) {
        List<Block> found = new ArrayList<>();
        for (int i = 0; i < guide.size(); i++) {
            Matcher mark = MARK.matcher(guide.get(i));
            if (!mark.matches()) {
                continue;
            }
            int fence = i + 1;
            while (fence < guide.size() && guide.get(fence).isBlank()) {
                fence++;
            }
            if (fence == guide.size() || !guide.get(fence).startsWith("```")) {
                fail(GUIDE + " line " + (i + 1) + ": a mark must be followed by a fenced code block");
            }
            int end = fence + 1;
            while (end < guide.size() && !guide.get(end).equals("```")) {
                end++;
            }
            if (end == guide.size()) {
                fail(GUIDE + " line " + (fence + 1) + ": the code block is not closed");
            }
            found.add(new Block(mark.group(1), mark.group(2), fence + 2, guide.subList(fence + 1, end)));
            i = end;
        }
        return found;
    }
}
