package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.Recorder.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ThreadLeakTest {

    private static List<String> transportThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> {
                    String lower = name.toLowerCase(Locale.ROOT);
                    return lower.startsWith("switchboard-") || lower.startsWith("grizzly") || lower.startsWith("tyrus-");
                })
                .toList();
    }

    @Test
    void closingTheTransportLeavesNoThreadBehind() throws Exception {
        TyrusTransport transport = new TyrusTransport();
        WebSocketServer server = transport.listen(ServerSpec.builder("leak").pingInterval(Duration.ofMillis(50)).build());
        server.addWebSocket("/echo", new Recorder(true));
        Recorder handler = new Recorder();
        transport.connect(ClientSpec.builder("leak", URI.create("ws://127.0.0.1:" + server.port() + "/echo"))
                .pingInterval(Duration.ofMillis(50)).build(), handler);
        next(handler.opens).sendText("hello");
        assertEquals("hello", next(handler.texts));
        assertFalse(transportThreads().isEmpty());

        transport.close();
        Await.until("transport threads to end, left: " + transportThreads(), () -> transportThreads().isEmpty());
    }
}
