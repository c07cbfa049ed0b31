package dev.switchboard.channels.internal;

import static dev.switchboard.channels.internal.ChannelsServerTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.Author;
import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointMetrics;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.channels.ChannelContext;
import dev.switchboard.channels.ChannelHandler;
import dev.switchboard.transport.internal.TyrusTransport;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;

/** The endpoint side: client events become messages, routed messages become broadcasts, failures become status. */
class ChannelsAdapterTest {

    private final BlockingQueue<Message> published = new LinkedBlockingQueue<>();
    private final List<TestClient> clients = new ArrayList<>();
    private TyrusTransport transport;
    private ChannelsAdapter adapter;
    private Subscription subscription;

    @BeforeEach
    void start() {
        transport = new TyrusTransport();
        adapter = new ChannelsAdapter(transport);
        adapter.start(ChannelsSettings.defaults("web"));
        subscription = adapter.subscribe(published::add);
    }

    @AfterEach
    void stop() {
        subscription.close();
        clients.forEach(TestClient::close);
        adapter.stop();
        transport.close();
    }

    private TestClient joined(String topic) throws Exception {
        TestClient client = TestClient.connect(adapter.server().url());
        clients.add(client);
        client.send("[\"" + topic + "\",\"subscribe\",{}]");
        client.expect("[\"" + topic + "\",\"subscribed\",{}]");
        return client;
    }

    private Message nextPublished() throws InterruptedException {
        Message message = published.poll(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue(message != null, "nothing was published");
        return message;
    }

    @Test
    void theDefaultsListenOnLoopback() {
        ChannelsSettings settings = ChannelsAdapter.settings(config(Map.of()));
        assertEquals("127.0.0.1", settings.host());
        assertEquals(100, settings.maxConnections());
        assertEquals(50, settings.historySize());
        assertEquals(List.of("chat:<room>"), settings.chatPatterns());
        assertEquals(Duration.ofSeconds(30), settings.pingInterval());
        assertEquals("/", settings.path());
    }

    @Test
    void theMetatypeNamesEachEndpointByItsIdAndItsRangesAreTheChecksRanges() throws Exception {
        String xml;
        try (InputStream metatype = getClass().getResourceAsStream(
                "/OSGI-INF/metatype/" + ChannelsConfig.class.getName() + ".xml")) {
            xml = new String(metatype.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(xml.matches("(?s).*<AD [^>]*id=\"webconsole.configurationFactory.nameHint\"[^>]*default=\"Channels\\\\ endpoint\\\\ \\{id}\".*"), xml);
        assertFalse(xml.toLowerCase().contains("seed"), xml);
        Matcher ad = Pattern.compile("<AD [^>]*id=\"(\\w+)\"[^>]*?min=\"(-?\\d+)\" max=\"(\\d+)\"").matcher(xml);
        List<String> ranged = new ArrayList<>();
        while (ad.find()) {
            String key = ad.group(1);
            int min = Integer.parseInt(ad.group(2));
            int max = Integer.parseInt(ad.group(3));
            ChannelsAdapter.settings(config(Map.of(key, min)));
            ChannelsAdapter.settings(config(Map.of(key, max)));
            for (int beyond : List.of(min - 1, max + 1)) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> ChannelsAdapter.settings(config(Map.of(key, beyond))), key + " = " + beyond);
                assertTrue(e.getMessage().startsWith(key + " = " + beyond + ": must be between"), e.getMessage());
            }
            ranged.add(key);
        }
        assertEquals(List.of("port", "maxConnections", "maxFrameBytes", "historySize", "sendQueueLimit",
                "pingIntervalSeconds", "clusterStreamSize", "clusterStreamTtlSeconds"), ranged);
    }

    /** Bad input: a frame limit of 0; then switched off, which stops a running server rather than editing it. */
    @Test
    void aFrameLimitOfZeroIsAConfigurationErrorAndDisabledStopsListening() throws Exception {
        adapter.modified(config(Map.of("id", "web", "port", 0, "maxFrameBytes", 0)));
        assertEquals(EndpointStatus.State.OFFLINE, adapter.status().state());
        assertEquals(EndpointStatus.Detail.CONFIGURATION_ERROR, adapter.status().detail());
        assertEquals("invalid configuration: maxFrameBytes = 0: must be between 1024 and 16777216",
                adapter.status().reason());

        adapter.modified(config(Map.of("id", "web", "port", 0)));
        TestClient browser = joined("chat:lobby");
        adapter.modified(config(Map.of("id", "web", "port", 0, "enabled", false)));
        assertEquals(EndpointStatus.Detail.DISABLED, adapter.status().detail());
        browser.awaitClose();
        assertNull(adapter.server(), "not listening");
    }

    @Test
    void listeningIsOnlineAndAChatMessageIsPublished() throws Exception {
        assertEquals(EndpointStatus.State.ONLINE, adapter.status().state());
        assertEquals("channels", adapter.protocol());
        TestClient browser = joined("chat:lobby");
        browser.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        browser.send("[\"chat:lobby\",\"message\",{\"text\":\"hello\",\"author\":\"ada\"}]");

        Message message = nextPublished();
        assertEquals("web", message.endpoint());
        assertEquals("chat:lobby", message.channel());
        assertEquals(Message.CHAT, message.event());
        assertEquals("hello", message.text());
        assertEquals(Author.of("ada"), message.author());
        assertEquals(Map.of("text", "hello", "author", "ada"), message.data());
        assertEquals(List.of("web"), message.hops());
    }

    @Test
    void anAnonymousMessageIsAuthoredByItsConnection() throws Exception {
        TestClient browser = joined("chat:lobby");
        browser.send("[\"chat:lobby\",\"message\",\"plain text\"]");
        Message message = nextPublished();
        assertEquals("plain text", message.text());
        assertTrue(message.author().id().startsWith("conn_"), message.author().id());
    }

    @Test
    void aRoutedChatMessageIsBroadcastAndKeptInTheHistory() throws Exception {
        TestClient browser = joined("chat:lobby");
        browser.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        Message routed = Message.builder("kosmi", "chat:lobby").author("k1", "Kim").text("from kosmi").build();
        adapter.send(routed).toCompletableFuture().get(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);

        String expected = "{\"id\":\"" + routed.id() + "\",\"text\":\"from kosmi\",\"author\":\"Kim\",\"authorId\":\"k1\","
                + "\"endpoint\":\"kosmi\",\"time\":\"" + routed.time() + "\"}";
        browser.expect("[\"chat:lobby\",\"message\"," + expected + "]");
        TestClient late = joined("chat:lobby");
        late.expect("[\"chat:lobby\",\"history\",{\"messages\":[" + expected + "]}]");
        assertTrue(published.isEmpty(), "a routed message is not published back");
        assertEquals(1, adapter.metrics().messagesOut());
    }

    @Test
    void aRoutedEventIsBroadcastWithItsOwnNameAndData() throws Exception {
        TestClient browser = joined("chat:lobby");
        browser.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        Message event = Message.builder("tracker", "chat:lobby").event("task:done").data(Map.of("task", 7)).build();
        adapter.send(event).toCompletableFuture().get(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        browser.expect("[\"chat:lobby\",\"task:done\",{\"task\":7}]");
    }

    @Test
    void aMessageForATopicNoChannelServesFails() {
        Message message = Message.builder("kosmi", "nowhere").text("lost").build();
        CompletionException failure = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> adapter.send(message).toCompletableFuture().join());
        assertInstanceOf(DeliveryException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("no channel matches topic: nowhere"));
    }

    @Test
    void aPortInUseIsOfflineWithTheReasonNotAnException() throws Exception {
        adapter.stop();
        int port;
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            adapter.start(ChannelsSettings.defaults("web").withPort(taken.getLocalPort()));
            EndpointStatus status = adapter.status();
            assertEquals(EndpointStatus.State.OFFLINE, status.state());
            assertTrue(status.reason().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), status.reason());
            Message message = Message.builder("kosmi", "chat:lobby").text("x").build();
            CompletionException failure = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    () -> adapter.send(message).toCompletableFuture().join());
            assertInstanceOf(DeliveryException.class, failure.getCause());
            port = taken.getLocalPort();
        }
        // once the port is free, an edit of the configuration (here: none) brings it online
        adapter.modified(config(Map.of("id", "web", "port", port)));
        assertEquals(EndpointStatus.State.ONLINE, adapter.status().state(), adapter.status().reason());
    }

    @Test
    void metricsShowConnectionsAndSubscribersPerTopic() throws Exception {
        joined("chat:a");
        joined("chat:a");
        joined("chat:b").send("[\"chat:b\",\"message\",\"hi\"]");
        nextPublished();
        EndpointMetrics metrics = adapter.metrics();
        assertEquals(3, metrics.details().get("connections"));
        assertEquals(Map.of("chat:a", 2, "chat:b", 1), metrics.details().get("subscribers"));
        assertEquals(1, metrics.messagesIn());
        assertTrue(metrics.bytesIn() > 0);
    }

    @Test
    void handlerServicesForAnotherEndpointAreIgnoredAndOthersComeAndGo() throws Exception {
        ChannelHandler mine = snapshotHandler("mine:<id>");
        ChannelHandler theirs = snapshotHandler("theirs:<id>");
        adapter.addHandler(mine, Map.of(Constants.SERVICE_ID, 11L));
        adapter.addHandler(theirs, Map.of(Constants.SERVICE_ID, 12L, ChannelHandler.ENDPOINT_PROPERTY, "other"));

        TestClient client = joined("mine:1");
        client.expect("[\"mine:1\",\"snapshot\",{\"id\":\"1\"}]");
        client.send("[\"theirs:1\",\"subscribe\",{}]");
        client.expect("[\"theirs:1\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: theirs:1\"}]");
        client.send("[\"mine:1\",\"poke\",[1]]");
        Message poke = nextPublished();
        assertEquals("poke", poke.event());
        assertEquals(List.of(1), poke.data());
        assertNull(poke.text());

        adapter.removeHandler(mine);
        client.send("[\"mine:2\",\"subscribe\",{}]");
        client.expect("[\"mine:2\",\"error\",{\"code\":\"INTERNAL_ERROR\",\"message\":\"No channel matches topic: mine:2\"}]");
    }

    @Test
    void stoppingReleasesThePortAndGoesOffline() throws Exception {
        TestClient browser = joined("chat:lobby");
        int port = adapter.server().port();
        adapter.stop();
        assertEquals(1000, browser.awaitClose().code());
        assertEquals(EndpointStatus.State.OFFLINE, adapter.status().state());
        await("the port is free", () -> {
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress("127.0.0.1", port));
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        adapter.start(ChannelsSettings.defaults("web").withPort(port));
        assertEquals(EndpointStatus.State.ONLINE, adapter.status().state());
    }

    @Test
    void aConfigurationEditAppliesLiveOrRestartsTheListener() throws Exception {
        adapter.stop();
        adapter.modified(config(Map.of("id", "web", "port", 0, "historySize", 1)));
        TestClient browser = joined("chat:lobby");
        browser.expect("[\"chat:lobby\",\"history\",{\"messages\":[]}]");
        browser.send("[\"chat:lobby\",\"message\",\"one\"]");
        browser.expect("[\"chat:lobby\",\"message\",\"one\"]");

        // history size and connection limit apply to the running server: nobody is disconnected
        adapter.modified(config(Map.of("id", "web", "port", 0, "historySize", 2)));
        browser.send("[\"chat:lobby\",\"message\",\"two\"]");
        browser.expect("[\"chat:lobby\",\"message\",\"two\"]");
        joined("chat:lobby").expect("[\"chat:lobby\",\"history\",{\"messages\":[\"one\",\"two\"]}]");

        // a new path needs a new listener: clients are closed with 1001 (going away, come back), then it listens again
        adapter.modified(config(Map.of("id", "web", "port", 0, "path", "/ws")));
        assertEquals(1001, browser.awaitClose().code());
        assertEquals(EndpointStatus.State.ONLINE, adapter.status().state());
        assertTrue(adapter.server().url().endsWith("/ws"), adapter.server().url());
    }

    @Test
    void stoppingLeavesNoThreadOfItsOwn() throws Exception {
        TestClient browser = joined("chat:lobby");
        browser.send("[\"chat:lobby\",\"message\",\"start the source thread\"]");
        nextPublished();
        adapter.stop();
        await("the source thread is gone", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("switchboard-channels-")));
    }

    /** A configuration as Config Admin would give it: the values given, Metatype defaults for the rest. */
    private static ChannelsConfig config(Map<String, Object> values) {
        return (ChannelsConfig) Proxy.newProxyInstance(ChannelsAdapterTest.class.getClassLoader(),
                new Class<?>[] {ChannelsConfig.class},
                (proxy, method, args) -> method.getName().equals("annotationType") ? ChannelsConfig.class
                        : values.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    private static ChannelHandler snapshotHandler(String pattern) {
        return new ChannelHandler() {
            @Override
            public String pattern() {
                return pattern;
            }

            @Override
            public void onJoin(ChannelContext context) {
                context.send("snapshot", context.params());
            }

            @Override
            public boolean onEvent(ChannelContext context, String event, Object payload) {
                return "poke".equals(event);
            }
        };
    }
}
