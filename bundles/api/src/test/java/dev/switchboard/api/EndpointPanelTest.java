package dev.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointPanelTest {

    @Test
    void plainFiguresMakeOneTableAndEachMapItsOwn() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("url", "ws://127.0.0.1:8025/");
        details.put("connections", 2);
        details.put("joined", List.of("@a", "@b"));
        details.put("subscribers", new LinkedHashMap<>(Map.of("chat:lobby", 3)));
        details.put("tunnels", Map.of("app", Map.of("openWebSockets", 1, "requests", Map.of("2xx", 5))));
        details.put("projects", List.of(Map.of("id", 7, "name", "Docs")));

        List<EndpointPanel.Table> tables = EndpointPanel.tablesOf(details);

        // by name, names in words, whatever order the map had
        assertEquals(List.of("details", "projects", "subscribers", "tunnels"),
                tables.stream().map(EndpointPanel.Table::title).toList());
        assertEquals(List.of(List.of("connections", "2"), List.of("joined", "@a, @b"),
                List.of("url", "ws://127.0.0.1:8025/")), tables.get(0).rows());
        assertEquals(List.of("id", "name"), tables.get(1).columns());
        assertEquals(List.of(List.of("7", "Docs")), tables.get(1).rows());
        assertEquals(List.of(List.of("chat:lobby", "3")), tables.get(2).rows());
        assertEquals(List.of("name", "open web sockets", "requests"), tables.get(3).columns());
        assertEquals(List.of(List.of("app", "1", "2xx=5")), tables.get(3).rows());
    }

    @Test
    void nullsAndEmptyCollectionsAreEmptyCells() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("lastConnectMs", null);
        details.put("joined", List.of());
        details.put("agents", Map.of());
        List<EndpointPanel.Table> tables = EndpointPanel.tablesOf(details);
        assertEquals(1, tables.size());
        assertEquals(List.of(List.of("agents", ""), List.of("joined", ""), List.of("last connect ms", "")),
                tables.get(0).rows());
        assertTrue(EndpointPanel.tablesOf(Map.of()).isEmpty());
    }

    @Test
    void aRowOfTheWrongLengthIsRefused() {
        // bad input: two headings, a row of one cell
        assertThrows(IllegalArgumentException.class,
                () -> new EndpointPanel.Table("t", List.of("a", "b"), List.of(List.of("x"))));
        // a null cell is an empty one
        assertEquals(List.of("", "y"), new EndpointPanel.Table("t", List.of("a", "b"),
                List.of(Arrays.asList(null, "y"))).rows().get(0));
    }
}
