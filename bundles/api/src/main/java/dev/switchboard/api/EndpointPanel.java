package dev.switchboard.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An endpoint's protocol details as a few small tables for people (topics and their subscribers,
 * rooms joined, tunnels and their recent requests), which consoles show beside the endpoint's
 * status and counters. A whiteboard service: registered with the same
 * {@value Endpoint#ENDPOINT_PROPERTY} property as the endpoint it describes, so a console names
 * no adapter and a new adapter brings its own panel. Adapters on the endpoint skeleton register
 * one made from their {@link EndpointMetrics#details() details} and may override it.
 *
 * <p>{@link #tables()} is cheap, non-blocking and safe to call from any thread. Nothing in a
 * table is a secret: no password, token, cookie or request body.
 */
@ConsumerType
public interface EndpointPanel {

    /** The tables to show, in order; empty when there is nothing to show. */
    List<Table> tables();

    /**
     * One table: a title, its column headings and rows of cells as text, each row as long as the
     * headings.
     */
    record Table(String title, List<String> columns, List<List<String>> rows) {

        public Table {
            Objects.requireNonNull(title, "title");
            columns = List.copyOf(columns);
            List<List<String>> copied = new ArrayList<>(rows.size());
            for (List<String> row : rows) {
                if (row.size() != columns.size()) {
                    throw new IllegalArgumentException("row " + row + " has " + row.size() + " cells for "
                            + columns.size() + " columns in table " + title);
                }
                copied.add(row.stream().map(cell -> cell == null ? "" : cell).toList());
            }
            rows = List.copyOf(copied);
        }
    }

    /**
     * Tables made from {@link EndpointMetrics#details() details}, by name, names in words
     * ({@code openWebSockets}: "open web sockets"): the plain figures in one table "details" (a
     * list of plain values as one cell), and each map or list of maps in a table of its own, one
     * row per entry (a map of maps, as tunnels by name, gets its names in the first column).
     */
    static List<Table> tablesOf(Map<String, Object> details) {
        return DetailsTables.of(details);
    }
}
