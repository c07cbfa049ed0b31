package dev.switchboard.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Hashtable;
import java.util.List;
import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

class ConfigurationCheckerTest {

    /** An integer attribute validated by Felix Metatype's own attribute definition, as in the runtime. */
    private record IntAttribute(AD felix) implements AttributeDefinition {
        IntAttribute(String id, int min, int max) {
            this(new AD());
            felix.setID(id);
            felix.setName(id);
            felix.setType("Integer");
            felix.setMin(String.valueOf(min));
            felix.setMax(String.valueOf(max));
        }

        public String getName() { return felix.getName(); }
        public String getID() { return felix.getID(); }
        public String getDescription() { return ""; }
        public int getCardinality() { return 0; }
        public int getType() { return INTEGER; }
        public String[] getOptionValues() { return null; }
        public String[] getOptionLabels() { return null; }
        public String[] getDefaultValue() { return null; }
        public String validate(String value) { return felix.validate(value); }
    }

    private record Definition(List<AttributeDefinition> attributes) implements ObjectClassDefinition {
        public String getName() { return "Switchboard channels endpoint"; }
        public String getID() { return "dev.switchboard.channels"; }
        public String getDescription() { return ""; }
        public AttributeDefinition[] getAttributeDefinitions(int filter) { return attributes.toArray(AttributeDefinition[]::new); }
        public java.io.InputStream getIcon(int size) { return null; }
    }

    private final Definition definition = new Definition(List.of(new IntAttribute("port", 0, 65535),
            new IntAttribute("historySize", 0, 10_000)));

    @Test
    void aValidConfigurationHasNoProblems() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("port", "8025");
        properties.put("service.pid", "dev.switchboard.channels~demo");
        properties.put("service.factoryPid", "dev.switchboard.channels");
        properties.put("felix.fileinstall.filename", "file:/x/etc/dev.switchboard.channels-demo.cfg");
        properties.put("org.apache.karaf.features.configKey", "dev.switchboard.channels-demo");
        assertEquals(List.of(), ConfigurationChecker.problems(definition, properties));
    }

    @Test
    void unknownKeysAreNamedWithTheKnownOnes() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("prot", "8025");
        assertEquals(List.of("unknown key \"prot\" is ignored; Switchboard channels endpoint reads historySize, port"),
                ConfigurationChecker.problems(definition, properties));
    }

    @Test
    void wrongTypesAndRangesAreReportedPerValue() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("port", "abc");
        properties.put("historySize", new int[] {5, 20_000});
        List<String> problems = ConfigurationChecker.problems(definition, properties).stream().sorted().toList();
        assertEquals(List.of("historySize = \"20000\" is invalid (an integer expected): " + AD.VALIDATE_GREATER_THAN_MAXIMUM,
                "port = \"abc\" is invalid (an integer expected): " + AD.VALIDATE_INVALID_VALUE), problems);
    }
}
