package dev.switchboard.proxy.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The controller's routes, {@code host[/pathPrefix] -> agent/service}: which agent's service
 * answers a browser request. Host {@code *} matches any Host; an exact host wins over {@code *},
 * then the longest path prefix. A prefix matches whole path segments ({@code /app} matches
 * {@code /app} and {@code /app/x}, not {@code /apple}).
 */
public final class ProxyRoutes {

    public record Route(String host, String pathPrefix, String agent, String service) {
        boolean matches(String requestHost, String path) {
            if (!host.equals("*") && !host.equals(requestHost)) {
                return false;
            }
            return pathPrefix.equals("/") || path.equals(pathPrefix) || path.startsWith(pathPrefix + "/");
        }

        @Override
        public String toString() {
            return host + (pathPrefix.equals("/") ? "" : pathPrefix) + " -> " + agent + "/" + service;
        }
    }

    private static final Comparator<Route> BEST_FIRST = Comparator
            .comparing((Route route) -> route.host().equals("*"))
            .thenComparing(route -> -route.pathPrefix().length());

    private final List<Route> routes;

    private ProxyRoutes(List<Route> routes) {
        this.routes = routes;
    }

    /** @throws IllegalArgumentException naming the entry that cannot be read */
    public static ProxyRoutes parse(String[] entries) {
        List<Route> routes = new ArrayList<>();
        for (String entry : ConfigEntries.of(entries)) {
            routes.add(route(entry));
        }
        routes.sort(BEST_FIRST);
        return new ProxyRoutes(List.copyOf(routes));
    }

    private static Route route(String entry) {
        int arrow = entry.indexOf("->");
        String target = arrow < 0 ? "" : entry.substring(arrow + 2).trim();
        int slash = target.indexOf('/');
        String match = arrow < 0 ? "" : entry.substring(0, arrow).trim();
        int pathStart = match.indexOf('/');
        String host = (pathStart < 0 ? match : match.substring(0, pathStart)).toLowerCase(Locale.ROOT);
        String prefix = pathStart < 0 ? "/" : match.substring(pathStart);
        if (host.isEmpty() || host.contains(" ") || slash < 1 || slash == target.length() - 1
                || target.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("routes: \"" + entry + "\" is not host[/pathPrefix] -> agent/service");
        }
        prefix = prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return new Route(host, prefix, target.substring(0, slash).trim(), target.substring(slash + 1).trim());
    }

    /** The route for a request's Host header (port ignored) and path. */
    public Optional<Route> match(String hostHeader, String path) {
        String host = hostOnly(hostHeader);
        String p = path == null || path.isEmpty() ? "/" : path;
        for (Route route : routes) {
            if (route.matches(host, p)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    public List<Route> all() {
        return routes;
    }

    private static String hostOnly(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        // an IPv6 literal keeps its colons inside brackets
        return colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
    }
}
