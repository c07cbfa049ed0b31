package dev.switchboard.proxy.internal;

import dev.switchboard.endpoint.ConfigCheck;
import dev.switchboard.endpoint.EndpointSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A controller's settings. {@link #toString()} names the agents, never their tokens.
 *
 * @param agents name → token
 */
public record ControllerSettings(String id, String host, int port, String agentHost, int agentPort,
                                 Map<String, String> agents, ProxyRoutes routes, Duration openTimeout,
                                 int streamWindow, int pingSeconds) implements EndpointSettings {

    public ControllerSettings {
        agents = Map.copyOf(agents);
    }

    static ControllerSettings of(ProxyControllerConfig config) {
        return new ControllerSettings(ConfigCheck.notBlank("id", config.id()),
                ConfigCheck.notBlank("host", config.host()), ConfigCheck.port("port", config.port(), true),
                ConfigCheck.notBlank("agentHost", config.agentHost()),
                ConfigCheck.port("agentPort", config.agentPort(), true), agents(config.agents()),
                ProxyRoutes.parse(config.routes()),
                ConfigCheck.seconds("openTimeoutSeconds", config.openTimeoutSeconds(), 1),
                ConfigCheck.range("streamWindow", config.streamWindow(), ProxyCodec.MIN_WINDOW, 1 << 30),
                ConfigCheck.range("pingSeconds", config.pingSeconds(), 1, 3600));
    }

    /** Entries {@code name:token}; the error names the entry's agent, never its token. */
    static Map<String, String> agents(String[] entries) {
        Map<String, String> agents = new LinkedHashMap<>();
        for (String entry : ConfigEntries.of(entries)) {
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (colon < 1 || name.isEmpty() || colon == entry.length() - 1) {
                throw new IllegalArgumentException("agents: an entry is not name:token"
                        + (name.isEmpty() ? "" : " (agent " + name + ")"));
            }
            if (agents.put(name, entry.substring(colon + 1)) != null) {
                throw new IllegalArgumentException("agents: agent " + name + " is named twice");
            }
        }
        return agents;
    }

    @Override
    public String toString() {
        return "ControllerSettings[id=" + id + ", " + host + ":" + port + ", agents " + agentHost + ":" + agentPort
                + " " + agents.keySet() + ", routes=" + routes.all() + "]";
    }
}
