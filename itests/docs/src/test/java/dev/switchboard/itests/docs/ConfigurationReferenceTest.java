package dev.switchboard.itests.docs;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * docs/configuration.md is the Metatype the bundles are built with: one section per
 * configuration PID (its heading names the PID in backticks) and in it one table, a row per key
 * in the order of the form, with the key's type, default (its value, in backticks), minimum and
 * maximum as the generated {@code OSGI-INF/metatype/*.xml} of the bundles on the test class path
 * give them.
 */
class ConfigurationReferenceTest {

    static final String REFERENCE = "docs/configuration.md";
    private static final String METATYPE = "OSGI-INF/metatype/";
    private static final Pattern SECTION = Pattern.compile("^#{2,3} .*`(dev\\.switchboard\\.[\\w.]+)`.*$");
    private static final String TABLE_HEADER = "| Key | Type | Default | Min | Max | Description |";

    /** One key of a form, written as the reference writes it. */
    record Key(String id, String type, String defaultValue, String min, String max) {
    }

    private static Map<String, List<Key>> built;
    private static Map<String, List<Key>> documented;

    @BeforeAll
    static void read() throws Exception {
        built = forms();
        documented = reference(Docs.lines(REFERENCE));
    }

    @Test
    void everyFormIsDocumentedAndNothingElse() {
        assertFalse(built.isEmpty(), "no Switchboard Metatype on the class path");
        assertEquals(built.keySet(), documented.keySet(), "the configuration PIDs of " + REFERENCE);
    }

    /** Every form is compared, so that one run names every table to fix. */
    @Test
    void everyKeyIsDocumentedAsItsFormDescribesIt() {
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, List<Key>> form : built.entrySet()) {
            List<Key> rows = documented.get(form.getKey());
            if (rows == null) {
                continue; // reported by everyFormIsDocumentedAndNothingElse
            }
            checks.add(() -> {
                assertEquals(form.getValue().stream().map(Key::id).toList(), rows.stream().map(Key::id).toList(),
                        form.getKey() + ": the keys, in the order of the form");
                for (int i = 0; i < rows.size(); i++) {
                    assertEquals(form.getValue().get(i), rows.get(i), form.getKey() + " " + rows.get(i).id());
                }
            });
        }
        assertAll(checks);
    }

    // --- the built Metatype --------------------------------------------------------------------

    /** Every Switchboard form on the class path, by configuration PID (factory or single). */
    private static Map<String, List<Key>> forms() throws Exception {
        Map<String, List<Key>> forms = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path.resolve(METATYPE))) {
                try (Stream<Path> files = Files.list(path.resolve(METATYPE))) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".xml")).toList()) {
                        try (InputStream in = Files.newInputStream(file)) {
                            addForms(in, forms);
                        }
                    }
                }
            } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                try (ZipFile jar = new ZipFile(path.toFile())) {
                    Enumeration<? extends ZipEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        ZipEntry zipEntry = entries.nextElement();
                        if (zipEntry.getName().startsWith(METATYPE) && zipEntry.getName().endsWith(".xml")) {
                            try (InputStream in = jar.getInputStream(zipEntry)) {
                                addForms(in, forms);
                            }
                        }
                    }
                }
            }
        }
        return forms;
    }

    private static void addForms(InputStream xml, Map<String, List<Key>> forms) throws Exception {
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml);
        Map<String, List<Key>> definitions = new LinkedHashMap<>();
        NodeList ocds = document.getElementsByTagName("OCD");
        for (int i = 0; i < ocds.getLength(); i++) {
            Element ocd = (Element) ocds.item(i);
            List<Key> keys = new ArrayList<>();
            NodeList ads = ocd.getElementsByTagName("AD");
            for (int j = 0; j < ads.getLength(); j++) {
                Element ad = (Element) ads.item(j);
                String cardinality = ad.getAttribute("cardinality");
                String type = ad.getAttribute("type") + (cardinality.isEmpty() || cardinality.equals("0") ? "" : "[]");
                keys.add(new Key(ad.getAttribute("id"), type,
                        ad.hasAttribute("default") ? unescape(ad.getAttribute("default")) : null,
                        ad.hasAttribute("min") ? ad.getAttribute("min") : null,
                        ad.hasAttribute("max") ? ad.getAttribute("max") : null));
            }
            definitions.put(ocd.getAttribute("id"), keys);
        }
        NodeList designates = document.getElementsByTagName("Designate");
        for (int i = 0; i < designates.getLength(); i++) {
            Element designate = (Element) designates.item(i);
            String pid = designate.hasAttribute("factoryPid") ? designate.getAttribute("factoryPid")
                    : designate.getAttribute("pid");
            Element object = (Element) designate.getElementsByTagName("Object").item(0);
            if (pid.startsWith("dev.switchboard.")) {
                forms.put(pid, definitions.get(object.getAttribute("ocdref")));
            }
        }
    }

    /** A Metatype default as its value: a backslash keeps the next character (bnd escapes every space). */
    private static String unescape(String raw) {
        StringBuilder value = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                c = raw.charAt(++i);
            }
            value.append(c);
        }
        return value.toString();
    }

    // --- the reference -------------------------------------------------------------------------

    /** Each section's table, by the PID its heading names. */
    static Map<String, List<Key>> reference(List<String> lines) {
        Map<String, List<Key>> sections = new TreeMap<>();
        String pid = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher section = SECTION.matcher(lines.get(i));
            if (section.matches()) {
                pid = section.group(1);
                continue;
            }
            if (pid == null || !lines.get(i).trim().equals(TABLE_HEADER)) {
                continue;
            }
            if (sections.containsKey(pid)) {
                fail(REFERENCE + " line " + (i + 1) + ": a second table for " + pid);
            }
            List<Key> keys = new ArrayList<>();
            for (int row = i + 2; row < lines.size() && lines.get(row).startsWith("|"); row++) {
                keys.add(key(lines.get(row), row + 1));
            }
            sections.put(pid, keys);
        }
        return sections;
    }

    private static Key key(String row, int line) {
        String[] cells = row.substring(1, row.lastIndexOf('|')).split("\\|", -1);
        if (cells.length != 6) {
            fail(REFERENCE + " line " + line + ": a row has 6 cells, this one " + cells.length + ": " + row);
        }
        return new Key(code(cells[0], line), cells[1].trim(), defaultValue(cells[2], line), number(cells[3]),
                number(cells[4]));
    }

    /** {@code `value`}; {@code *(empty)*} for the empty string; {@code —} for no default. */
    private static String defaultValue(String cell, int line) {
        String text = cell.trim();
        return switch (text) {
            case "—" -> null;
            case "*(empty)*" -> "";
            default -> code(text, line);
        };
    }

    private static String code(String cell, int line) {
        String text = cell.trim();
        if (text.length() < 2 || !text.startsWith("`") || !text.endsWith("`")) {
            fail(REFERENCE + " line " + line + ": expected `code`, found " + text);
        }
        return text.substring(1, text.length() - 1);
    }

    private static String number(String cell) {
        String text = cell.trim();
        return text.isEmpty() ? null : text;
    }
}
