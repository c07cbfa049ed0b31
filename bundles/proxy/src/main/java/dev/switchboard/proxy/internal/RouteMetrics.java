package dev.switchboard.proxy.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The controller's figures per route: requests by status class, open WebSockets, bytes each way. */
final class RouteMetrics {

    /** Figures of one route (or of the requests no route matched). */
    static final class Counters {
        private final LongAdder[] byClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
            new LongAdder()};
        private final LongAdder openWebSockets = new LongAdder();
        private final LongAdder bytesToService = new LongAdder();
        private final LongAdder bytesToBrowser = new LongAdder();

        void answered(int status) {
            int index = status / 100 - 1;
            if (index >= 0 && index < byClass.length) {
                byClass[index].increment();
            }
        }

        void webSocketOpened() {
            openWebSockets.increment();
        }

        void webSocketClosed() {
            openWebSockets.decrement();
        }

        void toService(long bytes) {
            bytesToService.add(bytes);
        }

        void toBrowser(long bytes) {
            bytesToBrowser.add(bytes);
        }

        Map<String, Object> snapshot() {
            Map<String, Object> requests = new LinkedHashMap<>();
            for (int i = 0; i < byClass.length; i++) {
                requests.put((i + 1) + "xx", byClass[i].sum());
            }
            return Map.of("requests", requests, "openWebSockets", openWebSockets.sum(),
                    "bytesToService", bytesToService.sum(), "bytesToBrowser", bytesToBrowser.sum());
        }
    }

    static final String NO_ROUTE = "(no route)";

    private final Map<String, Counters> routes = new ConcurrentHashMap<>();

    Counters of(ProxyRoutes.Route route) {
        return routes.computeIfAbsent(route == null ? NO_ROUTE : route.toString(), key -> new Counters());
    }

    long bytesToService() {
        return routes.values().stream().mapToLong(c -> c.bytesToService.sum()).sum();
    }

    long bytesToBrowser() {
        return routes.values().stream().mapToLong(c -> c.bytesToBrowser.sum()).sum();
    }

    Map<String, Object> snapshot() {
        Map<String, Object> all = new LinkedHashMap<>();
        routes.forEach((route, counters) -> all.put(route, counters.snapshot()));
        return all;
    }
}
