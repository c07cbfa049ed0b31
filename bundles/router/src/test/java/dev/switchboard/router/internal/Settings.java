package dev.switchboard.router.internal;

import java.util.List;

/** Builds {@link GatewaySettings} in tests: enabled, default nick format and capacity unless changed. */
record Settings(String name, List<String> members, String nickFormat, int queueCapacity, boolean enabled) {

    static Settings of(String name, String... members) {
        return new Settings(name, List.of(members), GatewaySettings.DEFAULT_NICK_FORMAT,
                GatewaySettings.DEFAULT_QUEUE_CAPACITY, true);
    }

    Settings withNickFormat(String format) {
        return new Settings(name, members, format, queueCapacity, enabled);
    }

    Settings withQueueCapacity(int capacity) {
        return new Settings(name, members, nickFormat, capacity, enabled);
    }

    Settings withEnabled(boolean on) {
        return new Settings(name, members, nickFormat, queueCapacity, on);
    }

    GatewaySettings build() {
        return new GatewaySettings(name, members, nickFormat, queueCapacity, enabled);
    }
}
