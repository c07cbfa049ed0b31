package dev.switchboard.console.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.MemberInfo;
import dev.switchboard.router.SinkInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders an {@link Overview} as the JSON the Web Console plugin serves to scripts. */
final class JsonReport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonReport() {
    }

    static String render(Overview overview) {
        return write(root(overview));
    }

    /**
     * With messages in and out per second of each endpoint and gateway ({@code rateIn},
     * {@code rateOut}) and, when {@code historyAfter} is not negative, their rates at every second
     * after it (epoch milliseconds; 0 for the whole five minutes kept) in {@code history}.
     */
    static String render(Overview overview, TrafficHistory traffic, long historyAfter) {
        Map<String, Object> root = root(overview);
        withRates(root, "endpoints", "id", traffic.endpoints());
        withRates(root, "gateways", "name", traffic.gateways());
        if (historyAfter >= 0) {
            Map<String, Object> history = new LinkedHashMap<>();
            history.put("endpoints", window(traffic.endpoints().after(historyAfter)));
            history.put("gateways", window(traffic.gateways().after(historyAfter)));
            root.put("history", history);
        }
        return write(root);
    }

    @SuppressWarnings("unchecked")
    private static void withRates(Map<String, Object> root, String list, String key, RateHistory rates) {
        for (Map<String, Object> thing : (List<Map<String, Object>>) root.get(list)) {
            double[] latest = rates.latest(String.valueOf(thing.get(key)));
            thing.put("rateIn", latest[0]);
            thing.put("rateOut", latest[1]);
        }
    }

    private static Map<String, Object> window(RateHistory.Window window) {
        Map<String, Object> rates = new LinkedHashMap<>();
        window.rates().forEach((name, r) -> rates.put(name, Map.of("in", r.in(), "out", r.out())));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("times", window.times());
        m.put("rates", rates);
        return m;
    }

    private static Map<String, Object> root(Overview overview) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("time", overview.time().toString());
        root.put("endpoints", overview.endpoints().stream().map(JsonReport::endpoint).toList());
        root.put("routerPresent", overview.routerPresent());
        root.put("gateways", overview.gateways().stream().map(JsonReport::gateway).toList());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("endpoints", overview.endpoints().size());
        totals.put("online", overview.online());
        totals.put("messagesIn", overview.messagesIn());
        totals.put("messagesOut", overview.messagesOut());
        totals.put("bytesIn", overview.bytesIn());
        totals.put("bytesOut", overview.bytesOut());
        totals.put("errors", overview.errors());
        totals.put("reconnects", overview.reconnects());
        totals.put("routed", overview.routed());
        totals.put("queued", overview.queued());
        root.put("totals", totals);
        return root;
    }

    private static String write(Map<String, Object> root) {
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            // only JSON-compatible values go in (EndpointMetrics.details is JSON-compatible by contract)
            throw new IllegalStateException("cannot render as JSON", e);
        }
    }

    private static Map<String, Object> endpoint(EndpointView e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("protocol", e.protocol());
        m.put("state", e.status().state().name());
        m.put("reason", e.status().reason());
        m.put("detail", e.status().detail().name());
        m.put("since", e.status().since().toString());
        m.put("countingSince", e.metrics().since().toString());
        m.put("messagesIn", e.metrics().messagesIn());
        m.put("messagesOut", e.metrics().messagesOut());
        m.put("bytesIn", e.metrics().bytesIn());
        m.put("bytesOut", e.metrics().bytesOut());
        m.put("errors", e.metrics().errors());
        m.put("reconnects", e.metrics().reconnects());
        m.put("details", e.metrics().details());
        m.put("canSend", e.canSend());
        m.put("panel", e.panel().stream().map(table -> Map.of("title", table.title(), "columns", table.columns(),
                "rows", table.rows())).toList());
        return m;
    }

    /** What a button did: {@code {"ok": true, "message": "endpoint demo disabled"}}. */
    static String result(SwitchboardPlugin.ActionResult result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", result.ok());
        m.put("message", result.message());
        return write(m);
    }

    /** The status changes a page follows: {@code {"latest": n, "changes": [...]}}. */
    static String changes(long latest, List<StatusFeed.Change> changes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("latest", latest);
        m.put("changes", changes.stream().map(change -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("seq", change.seq());
            c.put("endpoint", change.endpoint());
            c.put("protocol", change.protocol());
            c.put("state", change.status().state().name());
            c.put("detail", change.status().detail().name());
            c.put("reason", change.status().reason());
            c.put("since", change.status().since().toString());
            c.put("text", TextReport.status(change.status()));
            return c;
        }).toList());
        return write(m);
    }

    private static Map<String, Object> gateway(GatewayInfo g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("pid", g.pid());
        m.put("active", g.active());
        m.put("reason", g.reason());
        m.put("routed", g.routed());
        m.put("duplicates", g.duplicates());
        m.put("loopsBlocked", g.loopsBlocked());
        m.put("empty", g.empty());
        m.put("members", g.members().stream().map(JsonReport::member).toList());
        m.put("sinks", g.sinks().stream().map(JsonReport::sink).toList());
        return m;
    }

    private static Map<String, Object> member(MemberInfo member) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("endpoint", member.endpoint());
        m.put("channel", member.channel());
        m.put("direction", member.direction().name().toLowerCase());
        m.put("sourcePresent", member.sourcePresent());
        m.put("sinkPresent", member.sinkPresent());
        m.put("problem", member.problem());
        return m;
    }

    private static Map<String, Object> sink(SinkInfo sink) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("endpoint", sink.endpoint());
        m.put("present", sink.present());
        m.put("queued", sink.queued());
        m.put("delivered", sink.delivered());
        m.put("failed", sink.failed());
        m.put("dropped", sink.dropped());
        m.put("expired", sink.expired());
        m.put("waiting", sink.waiting());
        return m;
    }
}
