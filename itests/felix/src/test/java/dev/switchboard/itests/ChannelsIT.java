package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.channels.ChannelContext;
import dev.switchboard.channels.ChannelHandler;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The channels adapter in a real Felix, configured through Config Admin, with real WebSocket
 * clients: subscribe, broadcast, history, a whiteboard channel handler that comes and goes, and
 * routing through a gateway in both directions.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChannelsIT extends SwitchboardTestSupport {

    private static final long TIMEOUT_SECONDS = 30;

    private final List<Browser> browsers = new ArrayList<>();

    @After
    public void closeBrowsers() {
        browsers.forEach(Browser::close);
        browsers.clear();
    }

    @Test
    public void browsersSubscribeTalkAndCatchUpOnHistory() throws Exception {
        String url = channels("web-chat");
        Browser ada = browser(url);
        Browser bob = browser(url);
        ada.send("[\"chat:lobby\",\"subscribe\",{\"id\":\"a\"}]");
        ada.expect("[\"chat:lobby\",\"subscribed\",{\"id\":\"a\"}]");
        ada.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        bob.send("[\"chat:lobby\",\"subscribe\",{}]");
        bob.expect("[\"chat:lobby\",\"subscribed\",{}]");
        bob.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");

        ada.send("[\"chat:lobby\",\"message\",{\"text\":\"hi bob\",\"author\":\"ada\"}]");
        ada.expect("[\"chat:lobby\",\"message\",{\"text\":\"hi bob\",\"author\":\"ada\"}]");
        bob.expect("[\"chat:lobby\",\"message\",{\"text\":\"hi bob\",\"author\":\"ada\"}]");

        Browser late = browser(url);
        late.send("[\"chat:lobby\",\"subscribe\",{}]");
        late.expect("[\"chat:lobby\",\"subscribed\",{}]");
        late.expect("[\"chat:lobby\",\"history\",{\"messages\":[{\"text\":\"hi bob\",\"author\":\"ada\"}]}]");

        // bad inputs answered as the seed answers them, nobody disconnected
        late.send("not json");
        late.expect("[\"error\",\"error\",{\"code\":\"INVALID_PAYLOAD\",\"message\":\"Invalid JSON\"}]");
        late.send("[\"chat:lobby\",\"message\"]");
        late.expect("[\"error\",\"error\",{\"code\":\"INVALID_PAYLOAD\",\"message\":\"Message must be [topic, event, payload]\"}]");
        late.send("[\"nowhere\",\"subscribe\",{}]");
        late.expect("[\"nowhere\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: nowhere\"}]");

        Map<String, Object> details = endpoint("web-chat").metrics().details();
        assertEquals(3, details.get("connections"));
        assertEquals(Map.of("chat:lobby", 3), details.get("subscribers"));
    }

    @Test
    public void aWhiteboardHandlerComesAndGoesWithoutARestart() throws Exception {
        String url = channels("web-handlers");
        Browser browser = browser(url);
        browser.send("[\"reasoning:abc\",\"subscribe\",{}]");
        browser.expect("[\"reasoning:abc\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: reasoning:abc\"}]");

        ServiceRegistration<ChannelHandler> registration = context.registerService(ChannelHandler.class,
                new ReasoningHandler(), new Hashtable<>(Map.of(ChannelHandler.ENDPOINT_PROPERTY, "web-handlers")));
        try {
            await("the handler serves reasoning topics", () -> ((List<?>) endpoint("web-handlers").metrics().details()
                    .get("channels")).contains("reasoning:<sessionId>"));
            browser.send("[\"reasoning:abc\",\"subscribe\",{\"id\":\"r\"}]");
            browser.expect("[\"reasoning:abc\",\"subscribed\",{\"id\":\"r\"}]");
            browser.expect("[\"reasoning:abc\",\"session:snapshot\",{\"sessionId\":\"abc\",\"thoughts\":[]}]");
            browser.send("[\"reasoning:abc\",\"thought:add\",{\"thought\":\"t1\"}]");
            browser.expect("[\"reasoning:abc\",\"thought:added\",{\"thought\":\"t1\"}]");
        } finally {
            registration.unregister();
        }
        browser.send("[\"reasoning:abc\",\"thought:add\",{\"thought\":\"t2\"}]");
        browser.expect("[\"reasoning:abc\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: reasoning:abc\"}]");
        assertTrue("the browser stayed connected", !browser.closed.isDone());
    }

    @Test
    public void aGatewayCarriesBrowserChatBothWays() throws Exception {
        String url = channels("web-gw");
        TestSource kosmi = source("kosmi-gw");
        recordingSink("archive-gw");
        Recorder archive = recorder("archive-gw");
        gateway("browsers-gw", Members.inout("web-gw", "chat:lobby"), Members.in("kosmi-gw", "room"),
                Members.out("archive-gw", "log"));
        Browser browser = browser(url);
        browser.send("[\"chat:lobby\",\"subscribe\",{}]");
        browser.expect("[\"chat:lobby\",\"subscribed\",{}]");
        browser.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");

        // kosmi -> browsers: emitted until the gateway is up (await checks its condition once more at the end)
        boolean[] arrived = {false};
        await("a kosmi message reaches the browser", () -> {
            if (!arrived[0]) {
                kosmi.emit("room", "kim", "hello browsers");
                String frame = browser.poll(java.time.Duration.ofSeconds(1));
                arrived[0] = frame != null && frame.startsWith("[\"chat:lobby\",\"message\",{")
                        && frame.contains("hello browsers");
            }
            return arrived[0];
        });
        // browsers -> archive
        browser.send("[\"chat:lobby\",\"message\",{\"text\":\"hello archive\",\"author\":\"ada\"}]");
        await("the archive received the browser's message",
                () -> archive.messages.stream().anyMatch(m -> "hello archive".equals(m.text())
                        || (m.text() != null && m.text().endsWith("hello archive"))));
        Message archived = archive.messages.stream().filter(m -> m.text() != null && m.text().endsWith("hello archive"))
                .findFirst().orElseThrow();
        assertEquals("web-gw", archived.endpoint());
        assertEquals("log", archived.channel());
        assertTrue(archived.text(), archived.text().contains("ada"));
    }

    @Test
    public void aTakenPortIsOfflineWithAReason() throws Exception {
        String url = channels("web-first");
        int port = URI.create(url).getPort();
        configure("dev.switchboard.channels", "web-second", "id", "web-second", "port", port);
        await("the second endpoint reports why it is offline", () -> {
            Endpoint second = endpoint("web-second");
            return second != null && second.status().state() == EndpointStatus.State.OFFLINE
                    && second.status().reason().contains("cannot listen");
        });
        Browser browser = browser(url);
        browser.send("[\"chat:x\",\"subscribe\",{}]");
        browser.expect("[\"chat:x\",\"subscribed\",{}]");
    }

    /** Configures a channels endpoint on an ephemeral port and returns its URL once it listens. */
    private String channels(String id) throws Exception {
        configure("dev.switchboard.channels", id, "id", id, "port", 0);
        await(id + " is online", () -> {
            Endpoint endpoint = endpoint(id);
            return endpoint != null && endpoint.status().state() == EndpointStatus.State.ONLINE;
        });
        String url = (String) endpoint(id).metrics().details().get("url");
        assertNotNull(url);
        return url;
    }

    private Endpoint endpoint(String id) {
        try {
            for (ServiceReference<Endpoint> ref : context.getServiceReferences(Endpoint.class,
                    "(" + Endpoint.ENDPOINT_PROPERTY + "=" + id + ")")) {
                return context.getService(ref);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return null;
    }

    private Browser browser(String url) throws Exception {
        Browser browser = new Browser(URI.create(url));
        browsers.add(browser);
        return browser;
    }

    /** A seed-002 channel the way its users write one: a snapshot on join, an event that broadcasts. */
    private static final class ReasoningHandler implements ChannelHandler {
        @Override
        public String pattern() {
            return "reasoning:<sessionId>";
        }

        @Override
        public void onJoin(ChannelContext context) {
            context.send("session:snapshot",
                    new TreeMap<>(Map.of("sessionId", context.params().get("sessionId"), "thoughts", List.of())));
        }

        @Override
        public boolean onEvent(ChannelContext context, String event, Object payload) {
            if (!"thought:add".equals(event)) {
                return false;
            }
            context.broadcast("thought:added", Map.of("thought", ((Map<?, ?>) payload).get("thought")));
            return true;
        }
    }
}
