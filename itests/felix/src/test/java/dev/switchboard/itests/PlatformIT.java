package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** The platform boots: every Switchboard bundle active, every component satisfied, forms described. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends SwitchboardTestSupport {

    /** The Felix Web Console lists a factory configuration under this property's value (or its Metatype default). */
    private static final String NAME_HINT = "webconsole.configurationFactory.nameHint";
    /** Its placeholders, {key}, as the Web Console 4.x finds them. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

    /** The bundles with DS components: every bundle of bundles/ but the api and the skeleton, and the test ones. */
    private static final Set<String> BUNDLES_WITH_COMPONENTS = Set.of("dev.switchboard.transport",
            "dev.switchboard.router", "dev.switchboard.channels", "dev.switchboard.tracker", "dev.switchboard.kosmi",
            "dev.switchboard.relay", "dev.switchboard.proxy", "dev.switchboard.console", FIXTURES, ECHO);

    @Inject
    ServiceComponentRuntime scr;

    @Inject
    MetaTypeService metatype;

    @Test
    public void everySwitchboardBundleIsActive() {
        Set<String> expected = new TreeSet<>(List.of(FIXTURES, PEERS, ECHO));
        Arrays.stream(SWITCHBOARD_BUNDLES).map(name -> "dev.switchboard." + name).forEach(expected::add);
        Map<String, String> states = new TreeMap<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getSymbolicName().startsWith("dev.switchboard.")) {
                states.put(bundle.getSymbolicName(), bundle.getState() == Bundle.ACTIVE ? "ACTIVE" : "state " + bundle.getState());
            }
        }
        Map<String, String> allActive = expected.stream().collect(Collectors.toMap(name -> name, name -> "ACTIVE",
                (a, b) -> a, TreeMap::new));
        assertEquals("every Switchboard bundle, installed and active", allActive, states);
    }

    @Test
    public void everyComponentIsSatisfied() throws Exception {
        // one instance of every factory component, so that each has a configuration to satisfy
        gateway("platform", Members.in("channels-platform", "chat:lobby"), Members.out("echo-platform", "lobby"));
        configure("dev.switchboard.channels", "platform", "id", "channels-platform", "port", 0);
        echo("echo-platform");
        configure("dev.switchboard.tracker", "platform", "id", "tracker-platform", "enabled", false,
                "trackerUrl", "http://127.0.0.1:1", "token", "unused");
        configure("dev.switchboard.kosmi", "platform", "id", "kosmi-platform", "enabled", false,
                "rooms", new String[] {"@platform"}, "graphqlUrl", "http://127.0.0.1:1/",
                "webSocketUrl", "ws://127.0.0.1:1/gql-ws");
        configure("dev.switchboard.relay.server", "platform", "id", "relay-server-platform", "port", 0);
        configure("dev.switchboard.relay.client", "platform", "id", "relay-client-platform",
                "relayUrl", "ws://127.0.0.1:1/_relay/control");
        configure("dev.switchboard.proxy.controller", "platform", "id", "proxy-controller-platform", "port", 0,
                "agentPort", 0);
        configure("dev.switchboard.proxy.agent", "platform", "id", "proxy-agent-platform",
                "controllerUrl", "ws://127.0.0.1:1/_agent", "name", "platform", "token", "unused");
        recordingSink("recording-platform");
        webSocketLoop("loop-platform");

        Map<String, String> notSatisfied = new TreeMap<>();
        Await.until("every Switchboard component has a configuration, active or satisfied", () -> {
            notSatisfied.clear();
            notSatisfied.putAll(componentsNotSatisfied());
            return notSatisfied.isEmpty();
        }, () -> notSatisfied);

        Set<String> bundlesChecked = new TreeSet<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (description.bundle.symbolicName.startsWith("dev.switchboard.")) {
                assertTrue(description.name + " enabled", scr.isComponentEnabled(description));
                bundlesChecked.add(description.bundle.symbolicName);
            }
        }
        assertEquals("the bundles whose components were checked", new TreeSet<>(BUNDLES_WITH_COMPONENTS), bundlesChecked);
    }

    @Test
    public void gatewayFormIsDescribedByMetatypeAndListedByItsName() throws Exception {
        ObjectClassDefinition gateway = factoryForm(installed("dev.switchboard.router"), "dev.switchboard.gateway");
        Map<String, AttributeDefinition> attributes = attributes(gateway);
        assertTrue(attributes.keySet().toString(), attributes.keySet().containsAll(List.of("name", "members", NAME_HINT)));

        org.osgi.service.cm.Configuration configuration =
                gateway("listed-by-name", Members.in("a", "x"), Members.out("b", "x"));
        assertEquals("listed-by-name", nameHint(configuration.getProperties(), attributes));
    }

    /** Every placeholder of every Switchboard form's Web Console name names one of its keys. */
    @Test
    public void everyNameHintNamesKeysOfItsForm() {
        int hints = 0;
        for (Bundle bundle : context.getBundles()) {
            MetaTypeInformation information = bundle.getSymbolicName().startsWith("dev.switchboard.")
                    ? metatype.getMetaTypeInformation(bundle) : null;
            if (information == null) {
                continue;
            }
            for (String pid : information.getFactoryPids()) {
                Map<String, AttributeDefinition> attributes = attributes(information.getObjectClassDefinition(pid, null));
                AttributeDefinition hint = attributes.get(NAME_HINT);
                if (hint == null) {
                    continue;
                }
                hints++;
                Matcher placeholder = PLACEHOLDER.matcher(hint.getDefaultValue()[0]);
                while (placeholder.find()) {
                    assertTrue(pid + ": " + NAME_HINT + " names {" + placeholder.group(1) + "}, not a key of its form",
                            attributes.containsKey(placeholder.group(1)));
                }
            }
        }
        assertTrue("the gateway and the echo example have a name hint: " + hints, hints >= 2);
    }

    private Map<String, String> componentsNotSatisfied() {
        Map<String, String> notSatisfied = new TreeMap<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (!description.bundle.symbolicName.startsWith("dev.switchboard.")) {
                continue;
            }
            Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty()) {
                notSatisfied.put(description.name, "no configuration");
            }
            for (ComponentConfigurationDTO configuration : configurations) {
                boolean satisfied = configuration.state == ComponentConfigurationDTO.ACTIVE
                        || configuration.state == ComponentConfigurationDTO.SATISFIED;
                if (!satisfied || configuration.unsatisfiedReferences.length > 0) {
                    notSatisfied.put(description.name, "state " + configuration.state + ", unsatisfied references "
                            + configuration.unsatisfiedReferences.length
                            + (configuration.failure == null ? "" : ", failure " + configuration.failure));
                }
            }
        }
        return notSatisfied;
    }

    private ObjectClassDefinition factoryForm(Bundle bundle, String factoryPid) {
        MetaTypeInformation information = metatype.getMetaTypeInformation(bundle);
        assertNotNull("Metatype of " + bundle.getSymbolicName(), information);
        assertTrue(factoryPid + " is a factory PID", Arrays.asList(information.getFactoryPids()).contains(factoryPid));
        return information.getObjectClassDefinition(factoryPid, null);
    }

    private static Map<String, AttributeDefinition> attributes(ObjectClassDefinition form) {
        Map<String, AttributeDefinition> attributes = new HashMap<>();
        for (AttributeDefinition attribute : form.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            attributes.put(attribute.getID(), attribute);
        }
        return attributes;
    }

    /**
     * The name the Felix Web Console 4.x lists a factory configuration under: the name hint from the
     * configuration or its Metatype default, each {key} replaced by the configuration's value or the
     * key's Metatype default; null when that leaves nothing (then it shows the PID).
     */
    private static String nameHint(Dictionary<String, Object> properties, Map<String, AttributeDefinition> attributes) {
        String hint = valueOrDefault(NAME_HINT, properties, attributes);
        if (hint == null) {
            return null;
        }
        Matcher placeholder = PLACEHOLDER.matcher(hint);
        StringBuilder name = new StringBuilder();
        while (placeholder.find()) {
            String value = valueOrDefault(placeholder.group(1), properties, attributes);
            placeholder.appendReplacement(name, Matcher.quoteReplacement(value == null ? "" : value));
        }
        placeholder.appendTail(name);
        String listed = name.toString().trim();
        return listed.isEmpty() ? null : listed;
    }

    private static String valueOrDefault(String key, Dictionary<String, Object> properties,
                                         Map<String, AttributeDefinition> attributes) {
        Object value = properties.get(key);
        if (value != null) {
            return value instanceof Object[] array ? String.join(",", Arrays.stream(array).map(String::valueOf).toList())
                    : String.valueOf(value);
        }
        AttributeDefinition attribute = attributes.get(key);
        String[] defaults = attribute == null ? null : attribute.getDefaultValue();
        return defaults != null && defaults.length == 1 ? defaults[0] : null;
    }
}
