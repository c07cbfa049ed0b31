package dev.switchboard.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns an endpoint's JSON-compatible details into {@link EndpointPanel.Table}s. */
final class DetailsTables {

    private DetailsTables() {
    }

    static List<EndpointPanel.Table> of(Map<String, Object> details) {
        List<List<String>> figures = new ArrayList<>();
        List<EndpointPanel.Table> tables = new ArrayList<>();
        details.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                tables.add(map.values().stream().allMatch(Map.class::isInstance)
                        ? rowsByName(key, map) : pairs(key, map));
            } else if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Map.class::isInstance)) {
                tables.add(rows(key, list));
            } else {
                figures.add(List.of(key, cell(value)));
            }
        });
        if (!figures.isEmpty()) {
            tables.add(0, new EndpointPanel.Table("Details", List.of("figure", "value"), figures));
        }
        return List.copyOf(tables);
    }

    /** {@code {"app": {"openStreams": 1, …}, …}}: one row per name. */
    private static EndpointPanel.Table rowsByName(String title, Map<?, ?> byName) {
        Set<String> columns = columnsOf(byName.values());
        List<List<String>> rows = new ArrayList<>();
        byName.forEach((name, entry) -> {
            List<String> row = new ArrayList<>();
            row.add(String.valueOf(name));
            columns.forEach(column -> row.add(cell(((Map<?, ?>) entry).get(column))));
            rows.add(row);
        });
        List<String> headings = new ArrayList<>();
        headings.add("name");
        headings.addAll(columns);
        return new EndpointPanel.Table(title, headings, rows);
    }

    /** {@code {"chat:lobby": 3, …}}: one row per key. */
    private static EndpointPanel.Table pairs(String title, Map<?, ?> map) {
        List<List<String>> rows = new ArrayList<>();
        map.forEach((key, value) -> rows.add(List.of(String.valueOf(key), cell(value))));
        return new EndpointPanel.Table(title, List.of("name", "value"), rows);
    }

    /** {@code [{"id": 1, "name": "x"}, …]}: one row per element. */
    private static EndpointPanel.Table rows(String title, List<?> list) {
        Set<String> columns = columnsOf(list);
        List<List<String>> rows = new ArrayList<>();
        for (Object element : list) {
            rows.add(columns.stream().map(column -> cell(((Map<?, ?>) element).get(column))).toList());
        }
        return new EndpointPanel.Table(title, List.copyOf(columns), rows);
    }

    private static Set<String> columnsOf(Iterable<?> maps) {
        Set<String> columns = new LinkedHashSet<>();
        for (Object map : maps) {
            ((Map<?, ?>) map).keySet().forEach(key -> columns.add(String.valueOf(key)));
        }
        return columns;
    }

    /** A plain value as text; a list as its elements, a map as {@code key=value} pairs. */
    private static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(DetailsTables::cell).collect(Collectors.joining(", "));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, String> pairs = new LinkedHashMap<>();
            map.forEach((k, v) -> pairs.put(String.valueOf(k), cell(v)));
            return pairs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        }
        return String.valueOf(value);
    }
}
