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

        assertEquals(List.of("Details", "subscribers", "tunnels", "projects"),
                tables.stream().map(EndpointPanel.Table::title).toList());
        assertEquals(List.of(List.of("url", "ws://127.0.0.1:8025/"), List.of("connections", "2"),
                List.of("joined", "@a, @b")), tables.get(0).rows());
        assertEquals(List.of(List.of("chat:lobby", "3")), tables.get(1).rows());
        assertEquals(List.of("name", "openWebSockets", "requests"), tables.get(2).columns());
        assertEquals(List.of(List.of("app", "1", "2xx=5")), tables.get(2).rows());
        assertEquals(List.of(List.of("Docs", "7")), tables.get(3).rows().stream()
                .map(row -> List.of(row.get(tables.get(3).columns().indexOf("name")),
                        row.get(tables.get(3).columns().indexOf("id")))).toList());
    }

    @Test
    void nullsAndEmptyCollectionsAreEmptyCells() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("lastConnectMs", null);
        details.put("joined", List.of());
        details.put("agents", Map.of());
        List<EndpointPanel.Table> tables = EndpointPanel.tablesOf(details);
        assertEquals(1, tables.size());
        assertEquals(List.of(List.of("lastConnectMs", ""), List.of("joined", ""), List.of("agents", "")),
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
