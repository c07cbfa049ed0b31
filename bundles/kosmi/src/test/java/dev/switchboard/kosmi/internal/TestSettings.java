package dev.switchboard.kosmi.internal;

import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.transport.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** Settings against the loopback Kosmi: short timeouts and backoff, each changeable before {@link #build()}. */
final class TestSettings {

    private String id = "kosmi-test";
    private boolean enabled = true;
    private final List<String> rooms;
    private String graphqlUrl;
    private final String webSocketUrl;
    private String token = "";
    private String displayName = "";
    private Duration ackTimeout = Duration.ofSeconds(5);
    private Duration sendTimeout = Duration.ofSeconds(10);
    private Duration keepalive = Duration.ofSeconds(30);
    private Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 0.2);

    private TestSettings(KosmiDouble kosmi, List<String> rooms) {
        this.rooms = rooms;
        this.graphqlUrl = kosmi.graphqlUrl();
        this.webSocketUrl = kosmi.webSocketUrl();
    }

    static TestSettings loopback(KosmiDouble kosmi, String... rooms) {
        return new TestSettings(kosmi, List.of(rooms));
    }

    TestSettings id(String value) {
        id = value;
        return this;
    }

    TestSettings enabled(boolean value) {
        enabled = value;
        return this;
    }

    TestSettings graphqlUrl(String value) {
        graphqlUrl = value;
        return this;
    }

    TestSettings token(String value) {
        token = value;
        return this;
    }

    TestSettings displayName(String value) {
        displayName = value;
        return this;
    }

    TestSettings ackTimeout(Duration value) {
        ackTimeout = value;
        return this;
    }

    TestSettings sendTimeout(Duration value) {
        sendTimeout = value;
        return this;
    }

    TestSettings keepalive(Duration value) {
        keepalive = value;
        return this;
    }

    TestSettings backoff(Duration initial, Duration max) {
        backoff = new Backoff(initial, max, 0.2);
        return this;
    }

    KosmiSettings build() {
        return new KosmiSettings(id, enabled, rooms, URI.create(graphqlUrl), URI.create(webSocketUrl), token,
                displayName, "Mozilla/5.0 (X11; Linux x86_64) Switchboard", "https://app.kosmi.io", "4364",
                Duration.ofSeconds(5), ackTimeout, sendTimeout, keepalive, backoff, 1 << 20);
    }
}
