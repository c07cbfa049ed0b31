package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.StreamFixture.readHead;
import static dev.switchboard.transport.internal.StreamFixture.upgrade;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.Splice;
import dev.switchboard.transport.WebSocketServer;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A closed byte stream lets go of its connection: a server's HTTP chain (its idle-timeout queue
 * above all) holds no connection it handed over as a stream after an upgrade.
 */
class StreamReleaseTest {

    private static final int UPGRADES = 200;
    /** Grizzly may hold the last connection it served a while longer (one such pair was seen, not one per upgrade). */
    private static final int LINGERING = 10;

    private final StreamFixture fixture = new StreamFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void theStreamsOfClosedSplicedUpgradesBecomeUnreachable() throws Exception {
        WebSocketServer backend = fixture.echoBackend();
        WebSocketServer front = fixture.front(backend.address());
        for (int i = 0; i < UPGRADES; i++) {
            try (Socket client = upgrade(front.port(), "", "PING".getBytes(ISO_8859_1))) {
                InputStream in = client.getInputStream();
                assertTrue(readHead(in).startsWith("HTTP/1.1 101"));
                assertEquals("PING", new String(in.readNBytes(4), ISO_8859_1));
            }
        }
        Await.until("every splice ended", () -> fixture.ended.size() == UPGRADES);

        List<WeakReference<ByteStream>> streams = takeEnded();
        // before the fix all 400 stayed reachable: a pair for every upgrade ever served
        Await.until("all but " + LINGERING + " of " + streams.size() + " closed streams collected", () -> {
            System.gc();
            return streams.stream().filter(stream -> stream.get() != null).count() <= LINGERING;
        });
    }

    /**
     * Both sides of each ended splice (the upgraded server connection, the front's connection to
     * the backend), forgotten by the fixture; a method of its own so no local of the test's frame
     * (a list iterator's snapshot) keeps them reachable.
     */
    private List<WeakReference<ByteStream>> takeEnded() {
        List<WeakReference<ByteStream>> streams = new ArrayList<>();
        for (Splice splice : fixture.ended) {
            streams.add(new WeakReference<>(splice.a()));
            streams.add(new WeakReference<>(splice.b()));
        }
        fixture.ended.clear();
        return streams;
    }
}
