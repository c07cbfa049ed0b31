package dev.switchboard.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import dev.switchboard.itests.peers.EchoClient;
import dev.switchboard.itests.peers.web.EchoService;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.ServiceReference;

/**
 * A tunnel adapter (relay or proxy) with both of its sides configured through Config Admin in one
 * Felix, exposing a local web app ({@link EchoService} on the transport service) on loopback. Its
 * browser side's lifecycle events on {@code tunnel:<name>} reach a recording sink through a gateway.
 * The subclass names the endpoints and events and configures the two sides.
 */
public abstract class TunnelTestSupport extends SwitchboardTestSupport {

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    protected WebSocketTransport transport;

    /** HTTP/1.1 as browsers speak it: the JDK's default asks for an h2c upgrade, which the tunnels forward as one. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(HTTP_TIMEOUT).build();
    protected EchoService service;

    private final String bundle;
    private final String front;
    private final String back;
    private final String tunnel;
    private final Events events;
    private Recorder log;

    /**
     * What the front publishes on {@code tunnel:<name>}: the event for the tunnel coming up, for a
     * WebSocket opened and closed, and the closed event's data key counting bytes browser → service.
     */
    protected record Events(String up, String opened, String closed, String bytesToService) {
        List<String> all() {
            return List.of(up, opened, closed);
        }
    }

    /**
     * @param bundle the adapter's bundle
     * @param front  the endpoint browsers reach (relay server, proxy controller)
     * @param back   the endpoint next to the service (relay client, proxy agent)
     * @param tunnel the tunnel's name in {@code tunnel:<name>}
     * @param events what the front publishes on {@code tunnel:<name>}
     */
    protected TunnelTestSupport(String bundle, String front, String back, String tunnel, Events events) {
        this.bundle = bundle;
        this.front = front;
        this.back = back;
        this.tunnel = tunnel;
        this.events = events;
    }

    /** Configures both sides to expose {@code serviceUrl}; returns the port browsers use. */
    protected abstract int configureTunnel(String serviceUrl) throws Exception;

    @Before
    public void startService() throws IOException {
        service = new EchoService(transport);
    }

    @After
    public void stopService() {
        service.close();
    }

    @Test
    public void httpAndWebSocketsGoThroughAndTheLifecycleReachesAGateway() throws Exception {
        int port = exposeServiceLoggingEvents();
        await("the tunnel's \"" + events.up() + "\" event reaches the gateway's sink",
                () -> eventsSeen().contains(events.up()));

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/through/" + tunnel)).timeout(HTTP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(response.body(), 200, response.statusCode());
        assertEquals("hello GET /through/" + tunnel, response.body());

        byte[] bytes = new byte[100_000];
        new Random(7).nextBytes(bytes);
        try (EchoClient client = EchoClient.connect(URI.create("ws://127.0.0.1:" + port + "/echo"))) {
            client.sendText("héllo ✓");
            assertEquals("héllo ✓", client.next());
            client.sendBinary(bytes);
            assertArrayEquals(bytes, (byte[]) client.next());
            // bad input at the service's end: it closes with a code of its own, the client sees that code
            client.sendText("close:4321");
            assertEquals(4321, client.closeCode());
        }
        Await.until("the WebSocket's opened and closed events reach the sink",
                () -> eventsSeen().containsAll(events.all()), () -> eventsSeen());
        Message closed = log.messages.stream().filter(m -> events.closed().equals(m.event())).findFirst().orElseThrow();
        assertEquals(front, closed.endpoint());
        assertEquals("events", closed.channel());
        long toService = ((Number) ((Map<?, ?>) closed.data()).get(events.bytesToService())).longValue();
        assertTrue("bytes browser -> service counted: " + closed.data(), toService >= bytes.length);
    }

    /** {@code bundle:update} of the adapter: both sides come back, the tunnel registers anew and carries echoes again. */
    @Test
    public void bundleUpdateBringsTheTunnelBack() throws Exception {
        int port = exposeServiceLoggingEvents();
        assertEquals("before the update", "echo 1", echo(port, "echo 1"));
        long frontBefore = endpointServiceId(front);
        long backBefore = endpointServiceId(back);
        long tunnelsUp = countEvents(events.up());

        installed(bundle).update();

        await("both sides are registered anew by the updated bundle", () -> isNew(endpointServiceId(front), frontBefore)
                && isNew(endpointServiceId(back), backBefore));
        awaitOnline();
        Await.until("the tunnel carries an echo again", Duration.ofSeconds(90), () -> "echo 2".equals(echo(port, "echo 2")),
                () -> null);
        await("the gateway's sink sees the tunnel come up again", () -> countEvents(events.up()) > tunnelsUp);
        assertNotEquals(frontBefore, endpointServiceId(front));
    }

    /**
     * A recording sink, a gateway from the front's {@code tunnel:<name>} to it, then both sides
     * exposing the service; returns the browser port once both are ONLINE.
     */
    private int exposeServiceLoggingEvents() throws Exception {
        recordingSink(front + "-log");
        log = recorder(front + "-log");
        gateway(front + "-events", Members.in(front, "tunnel:" + tunnel), Members.out(front + "-log", "events"));
        int port = configureTunnel(service.url());
        awaitGatewayReady(front + "-events");
        awaitOnline();
        return port;
    }

    private static boolean isNew(long serviceId, long before) {
        return serviceId != -1 && serviceId != before;
    }

    private void awaitOnline() throws InterruptedException {
        Await.until(front + " and " + back + " are ONLINE",
                () -> endpointState(front) == State.ONLINE && endpointState(back) == State.ONLINE,
                () -> status(front) + " / " + status(back));
    }

    private String status(String endpoint) {
        try {
            return endpoint + ": " + endpointStatus(endpoint);
        } catch (Exception e) {
            return endpoint + ": " + e;
        }
    }

    /** One text echoed through the tunnel on a new WebSocket. */
    private static String echo(int port, String text) throws Exception {
        try (EchoClient client = EchoClient.connect(URI.create("ws://127.0.0.1:" + port + "/echo"))) {
            client.sendText(text);
            return (String) client.next();
        }
    }

    private List<String> eventsSeen() {
        return log.messages.stream().map(Message::event).toList();
    }

    private long countEvents(String event) {
        return log.messages.stream().filter(m -> event.equals(m.event())).count();
    }

    /** The service.id of the Endpoint service registered as {@code endpoint}; -1 while there is none. */
    private long endpointServiceId(String endpoint) throws Exception {
        for (ServiceReference<Endpoint> ref : context.getServiceReferences(Endpoint.class,
                "(" + Endpoint.ENDPOINT_PROPERTY + "=" + endpoint + ")")) {
            return (Long) ref.getProperty("service.id");
        }
        return -1;
    }

    protected static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
