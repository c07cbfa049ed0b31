package dev.switchboard.console.internal;

import java.io.IOException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every Switchboard configuration against its Metatype description when it is created or
 * changed, and says in the switchboard log what is wrong with it: keys nobody reads (a typo in
 * an etc/*.cfg is otherwise silently ignored) and values of the wrong type or out of range (which
 * otherwise surface only as a stack trace from Declarative Services). It never changes a
 * configuration: the adapter still decides what to do with it.
 */
@Component(immediate = true)
public class ConfigurationChecker implements ConfigurationListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationChecker.class);
    private static final String PREFIX = "dev.switchboard.";

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;
    private final MetaTypeService metaTypeService;

    @Activate
    public ConfigurationChecker(BundleContext context, @Reference ConfigurationAdmin configurationAdmin,
                                @Reference MetaTypeService metaTypeService) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        this.metaTypeService = metaTypeService;
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        String factoryPid = event.getFactoryPid();
        String typePid = factoryPid != null ? factoryPid : event.getPid();
        if (event.getType() != ConfigurationEvent.CM_UPDATED || !typePid.startsWith(PREFIX)) {
            return;
        }
        try {
            Configuration[] found = configurationAdmin.listConfigurations("(service.pid=" + event.getPid() + ")");
            ObjectClassDefinition definition = definition(typePid, factoryPid != null);
            if (found == null || found.length == 0 || definition == null) {
                return;
            }
            Dictionary<String, Object> properties = found[0].getProperties();
            Object file = properties.get("felix.fileinstall.filename");
            String where = file != null ? String.valueOf(file) : event.getPid();
            for (String problem : problems(definition, properties)) {
                LOG.warn("{}: {}", where, problem);
            }
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            LOG.debug("cannot check configuration {}: {}", event.getPid(), e.toString());
        }
    }

    /** What is wrong with {@code properties} as {@code definition} describes them; empty when nothing. */
    static List<String> problems(ObjectClassDefinition definition, Dictionary<String, Object> properties) {
        Map<String, AttributeDefinition> attributes = new TreeMap<>();
        AttributeDefinition[] all = definition.getAttributeDefinitions(ObjectClassDefinition.ALL);
        for (AttributeDefinition attribute : all == null ? new AttributeDefinition[0] : all) {
            attributes.put(attribute.getID(), attribute);
        }
        List<String> problems = new ArrayList<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (isFrameworkKey(key)) {
                continue;
            }
            AttributeDefinition attribute = attributes.get(key);
            if (attribute == null) {
                problems.add("unknown key \"" + key + "\" is ignored; " + definition.getName() + " reads "
                        + String.join(", ", attributes.keySet()));
                continue;
            }
            for (String value : values(properties.get(key))) {
                String error = attribute.validate(value);
                if (error != null && !error.isEmpty()) {
                    problems.add(key + " = \"" + value + "\" is invalid (" + typeName(attribute.getType()) + " expected): "
                            + error);
                }
            }
        }
        return problems;
    }

    private ObjectClassDefinition definition(String typePid, boolean factory) {
        for (Bundle bundle : context.getBundles()) {
            String name = bundle.getSymbolicName();
            if (name == null || !name.startsWith(PREFIX)) {
                continue;
            }
            MetaTypeInformation information = metaTypeService.getMetaTypeInformation(bundle);
            if (information == null) {
                continue;
            }
            String[] pids = factory ? information.getFactoryPids() : information.getPids();
            for (String pid : pids == null ? new String[0] : pids) {
                if (pid.equals(typePid)) {
                    return information.getObjectClassDefinition(pid, null);
                }
            }
        }
        return null;
    }

    private static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER, AttributeDefinition.LONG, AttributeDefinition.SHORT,
                 AttributeDefinition.BYTE -> "an integer";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "a number";
            case AttributeDefinition.BOOLEAN -> "true or false";
            case AttributeDefinition.CHARACTER -> "one character";
            default -> "text";
        };
    }

    private static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("felix.") || key.startsWith("component.")
                || key.startsWith("org.apache.karaf.") || key.startsWith(".");
    }

    private static List<String> values(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value.getClass().isArray()) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                out.add(String.valueOf(Array.get(value, i)));
            }
            return out;
        }
        if (value instanceof Iterable<?> iterable) {
            List<String> out = new ArrayList<>();
            iterable.forEach(v -> out.add(String.valueOf(v)));
            return out;
        }
        return List.of(String.valueOf(value));
    }
}
