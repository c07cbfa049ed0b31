package dev.switchboard.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProxyRoutesTest {

    private final ProxyRoutes routes = ProxyRoutes.parse(new String[] {
        "* -> home/web", "*/grafana -> home/grafana", "kuma.example.com -> home/kuma",
        "kuma.example.com/api/ -> lab/api", " ", "Kuma.Example.com/api/v2 -> lab/api2"});

    @Test
    void anExactHostWinsOverAnyHostThenTheLongestPrefix() {
        assertEquals("home/kuma", target("kuma.example.com:8040", "/grafana"));
        assertEquals("lab/api", target("kuma.example.com", "/api/x"));
        assertEquals("lab/api2", target("KUMA.example.com", "/api/v2/y"));
        assertEquals("home/grafana", target("other", "/grafana/d/1"));
        assertEquals("home/web", target("other", "/grafanax"));
        assertEquals("home/web", target(null, ""));
    }

    @Test
    void withoutACatchAllAnUnknownHostHasNoRoute() {
        ProxyRoutes narrow = ProxyRoutes.parse(new String[] {"a.test -> x/y"});
        assertTrue(narrow.match("b.test", "/").isEmpty());
        assertTrue(narrow.match("[::1]:80", "/").isEmpty());
        assertEquals("x", narrow.match("a.test:443", "/").orElseThrow().agent());
    }

    @Test
    void anUnreadableEntryIsNamed() {
        for (String bad : new String[] {"a.test", "a.test -> agent", "-> a/b", "a.test -> a/b/c", "a.test -> a/"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProxyRoutes.parse(new String[] {bad}));
            assertEquals("routes: \"" + bad + "\" is not host[/pathPrefix] -> agent/service", e.getMessage());
        }
    }

    private String target(String host, String path) {
        ProxyRoutes.Route route = routes.match(host, path).orElseThrow();
        return route.agent() + "/" + route.service();
    }
}
