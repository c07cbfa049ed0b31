package dev.switchboard.kosmi.internal;

import static dev.switchboard.kosmi.internal.LoopbackKosmiTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** From the Metatype configuration to checked settings: defaults, and every value that cannot work, with the key. */
class KosmiSettingsTest {

    private static final String[] ROOM = {"@x"};

    @Test
    void theDefaultsAreKosmisOwn() {
        KosmiSettings defaults = KosmiAdapter.settings(config(Map.of("rooms", ROOM)));
        assertEquals("https://engine.kosmi.io/", defaults.graphqlUri().toString());
        assertEquals("wss://engine.kosmi.io/gql-ws", defaults.webSocketUri().toString());
        assertEquals("4364", defaults.appVersion());
        assertEquals("kosmi", defaults.id());
        assertTrue(defaults.enabled());
        assertEquals(Duration.ofSeconds(30), defaults.keepalive());
        assertEquals(Duration.ofSeconds(1), defaults.backoff().initial());
        assertEquals(Duration.ofSeconds(30), defaults.backoff().max());
        assertEquals(1 << 20, defaults.maxMessageBytes());
    }

    @Test
    void roomsAreListedOnceEachWithTheirAt() {
        KosmiSettings settings = KosmiAdapter.settings(config(Map.of("rooms",
                new String[] {"lobby, @den", "https://app.kosmi.io/room/@lobby den"})));
        assertEquals(List.of("@lobby", "@den"), settings.rooms());
    }

    @Test
    void keepaliveZeroSwitchesPingsOff() {
        KosmiSettings settings = KosmiAdapter.settings(config(Map.of("rooms", ROOM, "keepaliveSeconds", 0)));
        assertEquals(Duration.ZERO, settings.keepalive());
    }

    /** Bad inputs: each refused with a reason naming the key. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "id|' '|id is empty",
        "graphqlUrl|ws://127.0.0.1/|graphqlUrl = ws://127.0.0.1/: must be a http://, https://",
        "graphqlUrl|not a url|graphqlUrl = not a url: not a URI",
        "webSocketUrl|http://127.0.0.1/gql-ws|webSocketUrl = http://127.0.0.1/gql-ws: must be a ws://, wss://",
        "userAgent|''|userAgent is empty",
        "loginTimeoutSeconds|0|loginTimeoutSeconds = 0: must be at least 1",
        "ackTimeoutSeconds|-5|ackTimeoutSeconds = -5: must be at least 1",
        "sendTimeoutSeconds|0|sendTimeoutSeconds = 0: must be at least 1",
        "keepaliveSeconds|-1|keepaliveSeconds = -1: must be at least 0",
        "retryInitialMillis|0|retryInitialMillis = 0: must be at least 1",
        "retryMaxMillis|10|retryMaxMillis = 10: must be at least 1000",
        "maxMessageBytes|1000|maxMessageBytes = 1000: must be at least 4096",
    })
    void aValueThatCannotWorkIsRefusedNamingItsKey(String key, String value, String reason) {
        Map<String, Object> values = new HashMap<>(Map.of("rooms", ROOM));
        values.put(key, key.endsWith("Seconds") || key.endsWith("Millis") || key.endsWith("Bytes")
                ? (Object) Integer.valueOf(value) : value);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> KosmiAdapter.settings(config(values)));
        assertTrue(refused.getMessage().startsWith(reason), refused.getMessage());
    }

    /** Bad inputs: no rooms, and a room that is no room. */
    @Test
    void roomsThatCannotWorkAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KosmiAdapter.settings(config(Map.of())))
                .getMessage().startsWith("rooms is empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KosmiAdapter.settings(
                config(Map.of("rooms", new String[] {"https://app.kosmi.io/room/"})))).getMessage()
                .startsWith("rooms: not a Kosmi room"));
    }
}
