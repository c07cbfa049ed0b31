package dev.switchboard.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void entriesComeAsValuesOrSeparatedByCommasInOne() {
        assertEquals(Map.of("home", "t1", "lab", "t:2"), ControllerSettings.agents(new String[] {"home:t1, lab:t:2", " "}));
        assertEquals(Map.of("web", URI.create("http://127.0.0.1:8080"), "kuma", URI.create("http://127.0.0.1:3001")),
                AgentSettings.services(new String[] {"web=http://127.0.0.1:8080", "kuma=http://127.0.0.1:3001"}));
        assertEquals(2, ProxyRoutes.parse(new String[] {"* -> a/b, x.test/p -> a/c"}).all().size());
    }

    @Test
    void aBadAgentEntryNamesTheAgentNeverTheToken() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControllerSettings.agents(new String[] {"home:"}));
        assertEquals("agents: an entry is not name:token (agent home)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ControllerSettings.agents(new String[] {"s3cret"}));
        assertFalse(e.getMessage().contains("s3cret"));
        e = assertThrows(IllegalArgumentException.class, () -> ControllerSettings.agents(new String[] {"a:x, a:y"}));
        assertEquals("agents: agent a is named twice", e.getMessage());
    }

    @Test
    void aServiceMustBeAnHttpAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.services(new String[] {"web=ws://127.0.0.1:1"}));
        assertEquals("services: web = ws://127.0.0.1:1: must be a http:// address with a host", e.getMessage());
    }

    @Test
    void settingsNeverShowTokens() {
        ControllerSettings controller = new ControllerSettings("c", "127.0.0.1", 0, "127.0.0.1", 0,
                Map.of("home", "s3cret"), ProxyRoutes.parse(new String[0]), Duration.ofSeconds(1), 65_536, 30);
        AgentSettings agent = new AgentSettings("a", URI.create("ws://x/_agent"), "home", "s3cret", Map.of(), 65_536, 1);
        for (String text : List.of(controller.toString(), agent.toString())) {
            assertFalse(text.contains("s3cret"), text);
        }
    }
}
