package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** The platform boots: every Switchboard bundle active, every component satisfied, forms described. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends SwitchboardTestSupport {

    @Inject
    ServiceComponentRuntime scr;

    @Inject
    MetaTypeService metatype;

    @Test
    public void everySwitchboardBundleIsActive() {
        List<String> seen = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String name = bundle.getSymbolicName();
            if (name.startsWith("dev.switchboard.")) {
                assertEquals(name + " state", Bundle.ACTIVE, bundle.getState());
                seen.add(name);
            }
        }
        for (String name : SWITCHBOARD_BUNDLES) {
            assertTrue("installed: dev.switchboard." + name, seen.contains("dev.switchboard." + name));
        }
    }

    @Test
    public void everyComponentIsSatisfied() throws Exception {
        // give the WebSocket loop a configuration so its component has something to satisfy
        webSocketLoop("loop-platform");
        await("the loop component is active", () -> activeConfigurations("dev.switchboard.itests.fixtures.WebSocketLoop") > 0);

        int checked = 0;
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (!description.bundle.symbolicName.startsWith("dev.switchboard.")) {
                continue;
            }
            assertTrue(description.name + " enabled", scr.isComponentEnabled(description));
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                assertEquals(description.name + " unsatisfied references", 0, configuration.unsatisfiedReferences.length);
                assertTrue(description.name + " state " + configuration.state,
                        configuration.state == ComponentConfigurationDTO.ACTIVE
                                || configuration.state == ComponentConfigurationDTO.SATISFIED);
                checked++;
            }
        }
        assertTrue("components checked: " + checked, checked >= 2);
    }

    @Test
    public void gatewayFormIsDescribedByMetatype() {
        Bundle router = installed("dev.switchboard.router");
        ObjectClassDefinition gateway = metatype.getMetaTypeInformation(router)
                .getObjectClassDefinition("dev.switchboard.gateway", null);
        assertNotNull("Metatype for dev.switchboard.gateway", gateway);
        List<String> attributes = new ArrayList<>();
        for (var attribute : gateway.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            attributes.add(attribute.getID());
        }
        assertTrue(attributes.toString(), attributes.containsAll(List.of("name", "members")));
    }

    private int activeConfigurations(String component) {
        int active = 0;
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (description.name.equals(component)) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
                    active += c.state == ComponentConfigurationDTO.ACTIVE ? 1 : 0;
                }
            }
        }
        return active;
    }
}
