package dev.switchboard.proxy.internal;

import static dev.switchboard.proxy.internal.TunnelTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import dev.switchboard.transport.WebSocketConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tunnel connections lost under way, and an agent's several connections. */
class TunnelLossTest {

    private static final byte[] WHOLE_TEXT_FRAME = {(byte) 0x81, 5, 'w', 'h', 'o', 'l', 'e'};

    private ProxyFixture fixture;
    private CuttableLink link;
    private ProxyAgentAdapter linked;
    private ServerSocket service;

    @AfterEach
    void close() throws IOException {
        if (linked != null) {
            linked.stop();
        }
        if (link != null) {
            link.close();
        }
        if (service != null) {
            service.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Bad input: the agent killed (its TCP connection reset) while half a 1 000-byte frame has come. */
    @Test
    void aBrowserGetsACloseFrame1001WhenTheAgentIsKilledInTheMiddleOfAFrame() throws Exception {
        ByteArrayOutputStream half = new ByteArrayOutputStream();
        half.writeBytes(WHOLE_TEXT_FRAME);
        half.writeBytes(new byte[] {(byte) 0x82, 126, 0x03, (byte) 0xe8});
        half.writeBytes(new byte[500]);
        killableAgentBefore(half.toByteArray());
        try (RawBrowser browser = new RawBrowser(fixture.browserPort(), "/half")) {
            assertEquals("1:whole", browser.readFrame());
            await(() -> fixture.controller.agents().tunnel("home").map(Tunnel::bytesIn).orElse(0L) >= half.size());
            link.cut();
            assertEquals("8:1001 proxy tunnel lost", browser.readFrame());
        }
    }

    /**
     * Bad input: the agent killed in a frame larger than the controller holds back (half the window):
     * its start went to the browser, which cannot be given a close frame; its connection is closed.
     */
    @Test
    void aBrowserInTheMiddleOfAFrameOverTheHoldLimitIsClosedWithoutACloseFrame() throws Exception {
        ByteArrayOutputStream half = new ByteArrayOutputStream();
        half.writeBytes(WHOLE_TEXT_FRAME);
        half.writeBytes(new byte[] {(byte) 0x82, 127, 0, 0, 0, 0, 0, 4, (byte) 0x93, (byte) 0xe0}); // 300 000 B
        half.writeBytes(new byte[150_000]);
        killableAgentBefore(half.toByteArray());
        try (RawBrowser browser = new RawBrowser(fixture.browserPort(), "/half")) {
            assertEquals("1:whole", browser.readFrame());
            await(() -> fixture.controller.agents().tunnel("home").map(Tunnel::bytesIn).orElse(0L) >= half.size());
            link.cut();
            assertThrows(IOException.class, browser::readFrame);
        }
    }

    /**
     * Three tunnel connections, six browsers: two streams on each, ids unique across them, so that
     * a {@code close} command names one stream whichever connection carries it.
     */
    @Test
    void streamsSpreadOverTheAgentsTunnelsAndACloseCommandFindsItsStream() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10), 3);
        BlockingQueue<Message> events = new LinkedBlockingQueue<>();
        fixture.controller.subscribe(events::add);
        ProxyFixture.Browser[] browsers = new ProxyFixture.Browser[6];
        for (int i = 0; i < browsers.length; i++) {
            browsers[i] = fixture.browser("/echo", false);
            browsers[i].open.get(10, TimeUnit.SECONDS).sendText("browser " + i);
            assertEquals("browser " + i, browsers[i].received.poll(10, TimeUnit.SECONDS));
        }
        List<Tunnel> tunnels = fixture.controller.agents().agent("home").orElseThrow().tunnels();
        assertEquals(List.of(2, 2, 2), tunnels.stream().map(Tunnel::openStreams).toList());
        await(() -> events.stream().filter(m -> m.event().equals("opened")).count() == 6);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), events.stream().filter(m -> m.event().equals("opened"))
                .map(m -> ((Map<?, ?>) m.data()).get("stream")).sorted().toList());

        fixture.controller.send(Message.builder("gw", "control").event("close").text("home/5").build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals("1001 proxy tunnel lost", browsers[4].closed.get(10, TimeUnit.SECONDS));
        browsers[5].open.get().sendText("still here");
        assertEquals("still here", browsers[5].received.poll(10, TimeUnit.SECONDS));
    }

    /** Bad input: one of the agent's two tunnel connections lost; the agent is not. */
    @Test
    void oneTunnelLostEndsOnlyItsStreamsAndComesBack() throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10), 2);
        BlockingQueue<Message> agentEvents = new LinkedBlockingQueue<>();
        fixture.agent.subscribe(agentEvents::add);
        ProxyFixture.Browser onFirst = fixture.browser("/echo", false);
        onFirst.open.get(10, TimeUnit.SECONDS);
        ProxyFixture.Browser onSecond = fixture.browser("/echo", false);
        WebSocketConnection second = onSecond.open.get(10, TimeUnit.SECONDS);
        AgentTunnels home = fixture.controller.agents().agent("home").orElseThrow();
        home.tunnels().get(0).close(1001, "peer not answering");

        assertEquals("1001 proxy tunnel lost", onFirst.closed.get(10, TimeUnit.SECONDS));
        second.sendText("after");
        assertEquals("after", onSecond.received.poll(10, TimeUnit.SECONDS));
        await(() -> home.tunnels().size() == 2 && home.tunnels().stream().noneMatch(Tunnel::isClosed));
        assertEquals(State.ONLINE, fixture.agent.status().state());
        assertTrue(agentEvents.stream().noneMatch(m -> m.event().equals("lost")), agentEvents.toString());
        assertTrue(fixture.controller.agents().agent("home").orElseThrow() == home, "the same agent all along");
    }

    /**
     * The fixture's agent replaced by one whose tunnel goes through a {@link CuttableLink}, serving
     * {@code half}: a raw service that answers an upgrade with 101 and then {@code bytes}, and waits.
     */
    private void killableAgentBefore(byte[] bytes) throws Exception {
        fixture = new ProxyFixture(Duration.ofSeconds(10));
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread serving = new Thread(() -> {
            try (Socket socket = service.accept()) {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    head.write(in.read());
                }
                socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().write(bytes);
                in.read(); // until the agent drops the connection
            } catch (IOException e) {
                // the test ends
            }
        }, "half-frame-service");
        serving.setDaemon(true);
        serving.start();
        link = new CuttableLink(fixture.controller.agents().address().getPort());
        fixture.agent.stop();
        linked = new ProxyAgentAdapter(fixture.transport);
        linked.start(new AgentSettings("linked", URI.create("ws://127.0.0.1:" + link.port() + AgentListener.PATH),
                "home", "s3cret", AgentSettings.services(new String[] {"half=http://127.0.0.1:" + service.getLocalPort()}),
                262_144, 1));
        await(() -> linked.status().state() == State.ONLINE && fixture.controller.agents().tunnel("home").isPresent());
    }
}
