package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.Recorder.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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

    /** A server, a client and a heartbeat, all running: closing the transport ends every thread they used. */
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
        Semaphore beats = new Semaphore(0);
        transport.heartbeat("leak", Duration.ofMillis(20), beats::release).start();
        assertTrue(beats.tryAcquire(2, 15, TimeUnit.SECONDS), "the heartbeat beats");
        assertFalse(transportThreads().isEmpty());

        transport.close();
        Await.until("transport threads to end, left: " + transportThreads(), () -> transportThreads().isEmpty());
    }
}
