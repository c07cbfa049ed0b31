package dev.switchboard.transport.internal;

import dev.switchboard.transport.StreamHandler;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * Which stream route, if any, claims a request: the longest stream prefix unless an HTTP prefix is
 * longer, never an upgrade on a WebSocket route's path; the fallback when nothing else claims it.
 */
final class StreamRoutes {

    private final String serverLabel;
    private final Set<String> webSocketPaths;
    /** The length of the longest HTTP prefix matching a path, or -1. */
    private final ToIntFunction<String> httpPrefixLength;
    private final Map<String, StreamHandler> routes = new ConcurrentHashMap<>();
    private volatile StreamHandler fallback;

    StreamRoutes(String serverLabel, Set<String> webSocketPaths, ToIntFunction<String> httpPrefixLength) {
        this.serverLabel = serverLabel;
        this.webSocketPaths = webSocketPaths;
        this.httpPrefixLength = httpPrefixLength;
    }

    void add(String pathPrefix, StreamHandler handler) {
        if (routes.putIfAbsent(pathPrefix, handler) != null) {
            throw new IllegalStateException(serverLabel + " already routes stream prefix " + pathPrefix);
        }
    }

    synchronized void fallback(StreamHandler handler) {
        if (fallback != null) {
            throw new IllegalStateException(serverLabel + " already has a fallback stream route");
        }
        fallback = handler;
    }

    boolean isEmpty() {
        return routes.isEmpty() && fallback == null;
    }

    /** The handler claiming a request on raw {@code path}, or null when it is not a stream's. */
    StreamHandler claim(String path, boolean upgrade) {
        if (upgrade && webSocketPaths.stream().anyMatch(template -> matches(template, path))) {
            return null;
        }
        String best = null;
        for (String prefix : routes.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        int http = httpPrefixLength.applyAsInt(path);
        if (best != null) {
            return best.length() >= http ? routes.get(best) : null;
        }
        return http < 0 ? fallback : null;
    }

    /** Whether {@code path} matches a WebSocket route's path, whose {@code {name}} segments match any segment. */
    static boolean matches(String template, String path) {
        String[] expected = template.split("/", -1);
        String[] actual = path.split("/", -1);
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            boolean parameter = expected[i].startsWith("{") && expected[i].endsWith("}");
            if (parameter ? actual[i].isEmpty() : !expected[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
    }
}
