package dev.switchboard.console.internal;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.MemberInfo;
import dev.switchboard.router.SinkInfo;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Renders an {@link Overview} as the plain-text tables the shell commands print. */
final class TextReport {

    private static final int MAX_DETAILS = 400;

    private TextReport() {
    }

    static String endpoints(Overview overview) {
        if (overview.endpoints().isEmpty()) {
            return "No endpoints. Install an adapter feature (feature:install switchboard-channels) and configure an instance.";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Endpoint", "Protocol", "Status", "Msgs in", "Msgs out", "Bytes in", "Bytes out",
            "Errors", "Reconnects", "Counting since"});
        for (EndpointView e : overview.endpoints()) {
            rows.add(new String[] {e.id(), e.protocol(), status(e.status()),
                Long.toString(e.metrics().messagesIn()), Long.toString(e.metrics().messagesOut()),
                Long.toString(e.metrics().bytesIn()), Long.toString(e.metrics().bytesOut()),
                Long.toString(e.metrics().errors()), Long.toString(e.metrics().reconnects()),
                e.metrics().since().truncatedTo(ChronoUnit.SECONDS).toString()});
        }
        StringBuilder out = new StringBuilder(table(rows));
        for (EndpointView e : overview.endpoints()) {
            if (!e.metrics().details().isEmpty()) {
                out.append("  ").append(e.id()).append(": ").append(details(e.metrics().details())).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * An endpoint's protocol figures on one line, {@code key=value} in key order (connections,
     * subscribers per topic, lobby chat id, …); a long line is cut, the JSON view has it whole.
     */
    static String details(Map<String, Object> details) {
        String line = new TreeMap<>(details).entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(" "));
        return line.length() <= MAX_DETAILS ? line : line.substring(0, MAX_DETAILS - 1) + "…";
    }

    static String gateways(Overview overview) {
        if (!overview.routerPresent()) {
            return "The router is not running (bundle dev.switchboard.router).";
        }
        if (overview.gateways().isEmpty()) {
            return "No gateways. Configure one with a factory configuration dev.switchboard.gateway-<name>.cfg in etc/.";
        }
        StringBuilder out = new StringBuilder();
        for (GatewayInfo g : overview.gateways()) {
            out.append("Gateway ").append(g.name()).append(g.active() ? " (active)" : " (inactive: " + g.reason() + ")")
                    .append(" routed ").append(g.routed()).append(", duplicates ").append(g.duplicates())
                    .append(", loops blocked ").append(g.loopsBlocked()).append(", empty not bridged ")
                    .append(g.empty()).append('\n');
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"  Member", "Channel", "Direction", "Source", "Sink", "Queued", "Delivered",
                "Failed", "Dropped", "Expired", "Note"});
            for (MemberInfo m : g.members()) {
                SinkInfo sink = g.sinks().stream().filter(s -> s.endpoint().equals(m.endpoint())).findFirst()
                        .orElse(null);
                rows.add(new String[] {"  " + m.endpoint(), m.channel(), m.direction().name().toLowerCase(),
                    m.sourcePresent() ? "yes" : "absent", m.sinkPresent() ? "yes" : "absent",
                    sink == null ? "-" : Integer.toString(sink.queued()),
                    sink == null ? "-" : Long.toString(sink.delivered()),
                    sink == null ? "-" : Long.toString(sink.failed()),
                    sink == null ? "-" : Long.toString(sink.dropped()),
                    sink == null ? "-" : Long.toString(sink.expired()),
                    !m.problem().isEmpty() ? "unusable: " + m.problem()
                            : sink != null && sink.waiting() ? "waiting for the endpoint to be online" : ""});
            }
            out.append(table(rows));
        }
        return out.toString();
    }

    static String stats(Overview overview) {
        return String.format("""
                Endpoints   %d (%d online)
                Messages    in %d, out %d
                Bytes       in %d, out %d
                Errors      %d
                Reconnects  %d
                Gateways    %s
                Routed      %d
                Queued      %d
                """, overview.endpoints().size(), overview.online(), overview.messagesIn(), overview.messagesOut(),
                overview.bytesIn(), overview.bytesOut(), overview.errors(), overview.reconnects(),
                overview.routerPresent() ? Integer.toString(overview.gateways().size()) : "router not running",
                overview.routed(), overview.queued());
    }

    static String status(EndpointStatus status) {
        return status.state() == EndpointStatus.State.ONLINE || status.reason().isEmpty()
                ? status.state().name()
                : status.state() + " (" + status.reason() + ")";
    }

    private static String table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == 0 ? "" : "  ").append(String.format("%-" + widths[i] + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
