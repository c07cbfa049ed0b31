package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.Recorder.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ClientSpec;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.SharedText;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frames encoded once and written as they are to many connections ({@link SharedText}): in
 * order, counted, before a close frame; corked per round of the selector loop when sent on it.
 */
class SharedFrameTest {

    private final TyrusTransport transport = new TyrusTransport();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    /**
     * A server that broadcasts each text it reads, numbered, to every connection: as a channel's
     * fan-out does, under one lock, so every connection sees one order.
     */
    private static final class Broadcaster implements WebSocketHandler {

        private final WebSocketServer server;
        private final boolean onSelector;
        private final AtomicInteger sequence = new AtomicInteger();

        Broadcaster(WebSocketServer server, boolean onSelector) {
            this.server = server;
            this.onSelector = onSelector;
        }

        @Override
        public boolean neverBlocks() {
            return onSelector;
        }

        @Override
        public synchronized void onText(WebSocketConnection connection, String text) {
            if (text.equals("bye")) {
                connection.send(SharedText.of("last words"));
                connection.close(1000, "done");
                return;
            }
            SharedText frame = SharedText.of(sequence.getAndIncrement() + " " + text);
            for (WebSocketConnection each : server.connections()) {
                each.send(frame);
            }
        }
    }

    private WebSocketServer listen(boolean compression) throws Exception {
        return listen(compression, false);
    }

    /** @param onSelector the handler runs on the selector thread, where frames are corked */
    private WebSocketServer listen(boolean compression, boolean onSelector) throws Exception {
        return listen(compression, onSelector, 1024);
    }

    private WebSocketServer listen(boolean compression, boolean onSelector, int sendQueueLimit) throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("shared").compression(compression)
                .pingInterval(Duration.ZERO).sendQueueLimit(sendQueueLimit).build());
        server.addWebSocket("/fan", new Broadcaster(server, onSelector));
        return server;
    }

    /** A client's events and its connection. */
    private record Client(Recorder events, WebSocketConnection connection) {
    }

    private Client connect(WebSocketServer server, boolean compression) throws InterruptedException {
        Recorder events = new Recorder();
        transport.connect(ClientSpec.builder("c", URI.create("ws://127.0.0.1:" + server.port() + "/fan"))
                .compression(compression).pingInterval(Duration.ZERO).build(), events);
        return new Client(events, next(events.opens));
    }

    private static TyrusConnection onlyServerSide(WebSocketServer server) throws InterruptedException {
        Await.until("one connection", () -> server.connections().size() == 1);
        return (TyrusConnection) server.connections().iterator().next();
    }

    /**
     * Bad input: a publisher that sends its messages back to back, so that one read carries many
     * of them; every connection must still get every frame, in one order, each counted once.
     */
    @Test
    void framesOfOneReadArriveInOrderAndCounted() throws Exception {
        WebSocketServer server = burst(listen(false));
        assertTrue(server.connections().stream().allMatch(c -> ((TyrusConnection) c).mostFramesPerWrite() == 1),
                "frames sent on a worker thread leave one by one");
    }

    /**
     * Bad input as above, the handler on the selector thread: the frames of one read are corked
     * and leave together, still every one, in order, counted once.
     */
    @Test
    void framesSentOnTheSelectorAreCorkedAndArriveInOrderAndCounted() throws Exception {
        WebSocketServer server = burst(listen(false, true));
        assertTrue(server.connections().stream().allMatch(c -> ((TyrusConnection) c).mostFramesPerWrite() > 1),
                "the frames of one read left in one write");
    }

    /**
     * Bad input: a burst whose one read carries more messages than the send queue may hold. Frames
     * corked for the round wait for the server, not for the peer: nobody is closed as too slow.
     */
    @Test
    void corkedFramesDoNotMakeASlowConsumer() throws Exception {
        WebSocketServer server = burst(listen(false, true, 8));
        assertTrue(server.connections().stream().allMatch(WebSocketConnection::isOpen));
    }

    /** A publisher and a subscriber; the publisher sends texts back to back; both get all, in order, counted. */
    private WebSocketServer burst(WebSocketServer server) throws Exception {
        Client publisher = connect(server, false);
        assertTrue(onlyServerSide(server).writesSharedFrames());
        Client subscriber = connect(server, false);
        Await.until("two connections", () -> server.connections().size() == 2);
        int count = 2000;
        for (int i = 0; i < count; i++) {
            publisher.connection().sendText("m" + i);
        }
        for (Client each : new Client[] {publisher, subscriber}) {
            for (int i = 0; i < count; i++) {
                assertEquals(i + " m" + i, next(each.events().texts));
            }
        }
        Await.until("every frame counted", () -> server.metrics().snapshot().framesOut() == 2L * count);
        long payload = 0;
        for (int i = 0; i < count; i++) {
            payload += (i + " m" + i).length();
        }
        assertEquals(2 * payload, server.metrics().snapshot().bytesOut());
        Await.until("nothing pending", () -> server.connections().stream().mapToInt(WebSocketConnection::pendingSends).sum() == 0);
        return server;
    }

    /** Frames sent outside any read (from a timer, another bundle) are written at once. */
    @Test
    void framesSentOutsideAReadLeaveAtOnce() throws Exception {
        WebSocketServer server = listen(false);
        Client client = connect(server, false);
        TyrusConnection connection = onlyServerSide(server);
        SharedText frame = SharedText.of("from elsewhere");
        assertTrue(connection.send(frame));
        assertTrue(connection.send(frame));
        assertEquals("from elsewhere", next(client.events().texts));
        assertEquals("from elsewhere", next(client.events().texts));
    }

    /** Bad input: a close asked for in the same read as a send; the frame goes out before the close frame. */
    @Test
    void aFrameSentBeforeACloseIsWrittenBeforeIt() throws Exception {
        aFrameSentBeforeACloseIsWrittenBeforeIt(false);
    }

    /** Bad input as above, on the selector thread: the corked frame goes out before the close frame. */
    @Test
    void aFrameCorkedBeforeACloseIsWrittenBeforeIt() throws Exception {
        aFrameSentBeforeACloseIsWrittenBeforeIt(true);
    }

    private void aFrameSentBeforeACloseIsWrittenBeforeIt(boolean onSelector) throws Exception {
        WebSocketServer server = listen(false, onSelector);
        Client client = connect(server, false);
        TyrusConnection connection = onlyServerSide(server);
        client.connection().sendText("bye");
        assertEquals("last words", next(client.events().texts));
        assertEquals(1000, next(client.events().closes).code());
        assertFalse(connection.send(SharedText.of("after the close")), "nothing is queued after a close");
    }

    /** A connection that compresses cannot take the shared bytes: Tyrus encodes for it, the text arrives all the same. */
    @Test
    void aCompressingConnectionGetsTheTextThroughTyrus() throws Exception {
        WebSocketServer server = listen(true);
        Client client = connect(server, true);
        TyrusConnection connection = onlyServerSide(server);
        assertFalse(connection.writesSharedFrames());
        client.connection().sendText("squeezed");
        assertEquals("0 squeezed", next(client.events().texts));
    }
}
