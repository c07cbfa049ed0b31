package dev.switchboard.kosmi.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this endpoint sent and has not seen come back yet. Kosmi delivers a sender's own message
 * to its subscription like anyone else's; each body sent into a room is expected back once and
 * dropped then, so the bridge never republishes what it said. Bounded: echoes that never come
 * (sent while the subscription was down) are forgotten oldest first. Thread-safe.
 */
final class EchoFilter {

    private final int limit;
    private final Map<String, Integer> expected = new LinkedHashMap<>();

    EchoFilter(int limit) {
        this.limit = limit;
    }

    /** Expects {@code body} back in {@code room} once more. */
    synchronized void expect(String room, String body) {
        expected.merge(key(room, body), 1, Integer::sum);
        Iterator<String> oldest = expected.keySet().iterator();
        while (expected.size() > limit) {
            oldest.next();
            oldest.remove();
        }
    }

    /** True, and one expectation fewer, when {@code body} in {@code room} is an expected echo. */
    synchronized boolean consume(String room, String body) {
        String key = key(room, body);
        Integer count = expected.get(key);
        if (count == null) {
            return false;
        }
        if (count == 1) {
            expected.remove(key);
        } else {
            expected.put(key, count - 1);
        }
        return true;
    }

    synchronized int size() {
        return expected.size();
    }

    private static String key(String room, String body) {
        return room + '\n' + body;
    }
}
