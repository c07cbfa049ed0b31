package dev.switchboard.relay.internal;

import dev.switchboard.transport.Splice;
import dev.switchboard.transport.WebSocketConnection;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One registered tunnel on the relay server: the client's control connection, the requests under
 * way on it, its open WebSockets (each a splice keyed by its connection id) and its counters.
 */
final class Tunnel {

    final String name;
    /** The token the client registered with: its data connections must carry the same. */
    final String token;
    final WebSocketConnection control;
    final Map<Long, ServerCall> calls = new ConcurrentHashMap<>();
    final Map<String, Splice> webSockets = new ConcurrentHashMap<>();
    private final AtomicLongArray statusClasses = new AtomicLongArray(6);
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final AtomicLong lastConnectMicros = new AtomicLong(-1);

    Tunnel(String name, String token, WebSocketConnection control) {
        this.name = name;
        this.token = token;
        this.control = control;
    }

    void send(String text) {
        control.sendText(text);
    }

    void send(ByteBuffer frame) {
        control.sendBinary(frame);
    }

    /** An HTTP request ended with {@code status}, moving these bytes from and to the browser. */
    void recordRequest(int status, long in, long out) {
        statusClasses.incrementAndGet(Math.min(5, Math.max(0, status / 100)));
        bytesIn.add(in);
        bytesOut.add(out);
    }

    /** A WebSocket ended, having moved these bytes. */
    void recordWebSocket(long in, long out) {
        bytesIn.add(in);
        bytesOut.add(out);
    }

    /** How long a WebSocket took from the browser's upgrade to the splice. */
    void recordConnect(long micros) {
        lastConnectMicros.set(micros);
    }

    /** Counters for consoles. */
    Map<String, Object> details() {
        Map<String, Object> requests = new LinkedHashMap<>();
        for (int i = 1; i <= 5; i++) {
            requests.put(i + "xx", statusClasses.get(i));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requests", requests);
        details.put("bytesIn", bytesIn.sum());
        details.put("bytesOut", bytesOut.sum());
        details.put("openWebSockets", webSockets.size());
        long connect = lastConnectMicros.get();
        details.put("lastConnectMs", connect < 0 ? null : connect / 1000.0);
        return details;
    }
}
