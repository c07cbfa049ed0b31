package dev.switchboard.proxy.internal;

import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSettings;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An agent's settings. {@link #toString()} never shows the token.
 *
 * @param services name → the service's http:// address
 */
public record AgentSettings(String id, URI controllerUrl, String name, String token, Map<String, URI> services,
                            int streamWindow, int tunnels) implements EndpointSettings {

    public AgentSettings {
        services = Map.copyOf(services);
    }

    static AgentSettings of(ProxyAgentConfig config) {
        return new AgentSettings(ConfigCheck.notBlank("id", config.id()),
                ConfigCheck.uri("controllerUrl", config.controllerUrl(), "ws", "wss"),
                ConfigCheck.notBlank("name", config.name()), ConfigCheck.notBlank("token", config.token()),
                services(config.services()),
                ConfigCheck.range("streamWindow", config.streamWindow(), ProxyCodec.MIN_WINDOW, 1 << 30),
                ConfigCheck.range("tunnels", config.tunnels(), 1, ProxyCodec.MAX_TUNNELS));
    }

    /** Entries {@code name=url}, http:// (WebSocket upgrades go to the same host and port). */
    static Map<String, URI> services(String[] entries) {
        Map<String, URI> services = new LinkedHashMap<>();
        for (String entry : ConfigEntries.of(entries)) {
            int equals = entry.indexOf('=');
            String name = equals < 0 ? "" : entry.substring(0, equals).trim();
            if (name.isEmpty() || name.length() > 255) {
                throw new IllegalArgumentException("services: \"" + entry + "\" is not name=url");
            }
            URI url = ConfigCheck.uri("services: " + name, entry.substring(equals + 1), "http");
            if (services.put(name, url) != null) {
                throw new IllegalArgumentException("services: " + name + " is named twice");
            }
        }
        return services;
    }

    @Override
    public String toString() {
        return "AgentSettings[id=" + id + ", controller=" + controllerUrl + ", name=" + name + ", services="
                + services + ", tunnels=" + tunnels + "]";
    }
}
