package dev.switchboard.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Turns an endpoint's JSON-compatible details into {@link EndpointPanel.Table}s. */
final class DetailsTables {

    private DetailsTables() {
    }

    static List<EndpointPanel.Table> of(Map<String, Object> details) {
        List<List<String>> figures = new ArrayList<>();
        List<EndpointPanel.Table> tables = new ArrayList<>();
        // details come as an unordered map: by name, so a panel keeps its order from one look to the next
        new TreeMap<>(details).forEach((name, value) -> {
            String key = words(name);
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
            tables.add(0, new EndpointPanel.Table("details", List.of("figure", "value"), figures));
        }
        return List.copyOf(tables);
    }

    /** {@code {"app": {"openStreams": 1, …}, …}}: one row per name. */
    private static EndpointPanel.Table rowsByName(String title, Map<?, ?> byName) {
        Set<String> columns = columnsOf(byName.values());
        List<List<String>> rows = new ArrayList<>();
        byName(byName).forEach((name, entry) -> {
            List<String> row = new ArrayList<>();
            row.add(String.valueOf(name));
            columns.forEach(column -> row.add(cell(((Map<?, ?>) entry).get(column))));
            rows.add(row);
        });
        List<String> headings = new ArrayList<>();
        headings.add("name");
        columns.forEach(column -> headings.add(words(column)));
        return new EndpointPanel.Table(title, headings, rows);
    }

    /** {@code {"chat:lobby": 3, …}}: one row per key. */
    private static EndpointPanel.Table pairs(String title, Map<?, ?> map) {
        List<List<String>> rows = new ArrayList<>();
        byName(map).forEach((key, value) -> rows.add(List.of(key, cell(value))));
        return new EndpointPanel.Table(title, List.of("name", "value"), rows);
    }

    /** {@code [{"id": 1, "name": "x"}, …]}: one row per element. */
    private static EndpointPanel.Table rows(String title, List<?> list) {
        Set<String> columns = columnsOf(list);
        List<List<String>> rows = new ArrayList<>();
        for (Object element : list) {
            rows.add(columns.stream().map(column -> cell(((Map<?, ?>) element).get(column))).toList());
        }
        return new EndpointPanel.Table(title, columns.stream().map(DetailsTables::words).toList(), rows);
    }

    private static Map<String, Object> byName(Map<?, ?> map) {
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach((key, value) -> sorted.put(String.valueOf(key), value));
        return sorted;
    }

    /** {@code openWebSockets} as people read it: {@code open web sockets}. */
    static String words(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    private static Set<String> columnsOf(Iterable<?> maps) {
        Set<String> columns = new TreeSet<>();
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
