package dev.switchboard.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointPanel;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointSupportTest {

    /** The shape of an adapter's Metatype configuration. */
    @interface TestConfig {
        String id();

        int port();

        boolean enabled();
    }

    record TestSettings(String id, int port, boolean enabled) implements EndpointSettings {
    }

    /** A configuration as SCR hands it: each attribute read on call, a bad value failing the way SCR's conversion does. */
    static TestConfig config(String id, Object port, boolean enabled) {
        return (TestConfig) Proxy.newProxyInstance(TestConfig.class.getClassLoader(), new Class<?>[] {TestConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> id;
                    case "port" -> port instanceof Integer number ? number : Integer.parseInt(String.valueOf(port));
                    case "enabled" -> enabled;
                    case "annotationType" -> TestConfig.class;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static TestSettings settings(TestConfig config) {
        return new TestSettings(config.id(), ConfigCheck.port("port", config.port(), true), config.enabled());
    }

    /** An adapter whose protocol is a counter: what a real adapter would do, observed. */
    static final class CountingAdapter extends EndpointSupport<TestSettings> {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger ticks = new AtomicInteger();
        volatile long bytes;
        volatile boolean liveEdits = true;

        CountingAdapter() {
            super("counting");
        }

        void configure(TestConfig config) {
            modifyEndpoint(config, EndpointSupportTest::settings);
        }

        @Override
        protected void startProtocol(TestSettings settings) {
            calls.add("start " + settings.port());
            if (settings.port() == 13) {
                throw new IllegalStateException("port 13 is unlucky");
            }
            repeat(Duration.ofMillis(10), ticks::incrementAndGet);
            updateStatus(State.ONLINE, Detail.NONE, "on " + settings.port());
        }

        @Override
        protected void stopProtocol(boolean restarting) {
            calls.add(restarting ? "restart" : "stop");
            bytes = 0;
        }

        @Override
        protected boolean applyLive(TestSettings current, TestSettings next) {
            return liveEdits && current.port() == next.port();
        }

        @Override
        protected CompletionStage<Void> deliver(Message message) {
            bytes += message.text().length();
            return "refuse".equals(message.text())
                    ? CompletableFuture.failedFuture(new DeliveryException(id(), "refused"))
                    : CompletableFuture.completedFuture(null);
        }

        @Override
        protected Traffic traffic() {
            return new Traffic(0, bytes, 0, 0);
        }

        @Override
        protected Map<String, Object> details() {
            return Map.of("bytesDelivered", bytes);
        }

        void received(String text) {
            publish(Message.builder(id(), "room").text(text).build());
        }
    }

    private final CountingAdapter adapter = new CountingAdapter();
    private final List<EndpointStatus> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        adapter.stop();
    }

    /** Bad input: a port that is no number, as a .cfg line "port = abc" gives it. */
    @Test
    void anUnreadableValueIsOfflineWithTheKeyNamedNeverAnException() {
        adapter.watchStatus((endpoint, status) -> events.add(status));
        adapter.configure(config("web", "abc", true));
        EndpointStatus status = adapter.status();
        assertEquals(State.OFFLINE, status.state());
        assertEquals(Detail.CONFIGURATION_ERROR, status.detail());
        assertTrue(status.reason().startsWith("invalid configuration: port: not a valid int"), status.reason());
        assertTrue(status.reason().contains("abc"), status.reason());
        assertEquals("web", adapter.id(), "the id is still read");
        assertEquals(List.of(), adapter.calls, "the protocol never started");
        assertEquals(List.of(status), events);
    }

    /** Bad input: an out-of-range value and a blank id. */
    @Test
    void anOutOfRangeValueOrBlankIdIsAConfigurationError() {
        adapter.configure(config("web", 70_000, true));
        assertEquals(Detail.CONFIGURATION_ERROR, adapter.status().detail());
        assertTrue(adapter.status().reason().contains("port = 70000: must be between 0 and 65535"),
                adapter.status().reason());
        adapter.configure(config(" ", 80, true));
        assertEquals(Detail.CONFIGURATION_ERROR, adapter.status().detail());
        assertTrue(adapter.status().reason().contains("id is empty"), adapter.status().reason());
        assertEquals("web", adapter.id(), "keeps the last usable id");
    }

    @Test
    void aProtocolThatCannotStartIsOfflineAndStopped() {
        adapter.configure(config("web", 13, true));
        assertEquals(State.OFFLINE, adapter.status().state());
        assertEquals(Detail.COMMUNICATION_ERROR, adapter.status().detail());
        assertEquals("port 13 is unlucky", adapter.status().reason());
        assertEquals(List.of("start 13", "restart"), adapter.calls, "what was opened is released");
    }

    @Test
    void statusChangesAreEventsInOrderOncePerChange() {
        adapter.watchStatus((endpoint, status) -> events.add(status));
        adapter.configure(config("web", 80, true));
        adapter.configure(config("web", 80, false));
        adapter.stop();
        assertEquals(List.of("CONNECTING starting", "ONLINE on 80", "OFFLINE disabled in its configuration",
                "OFFLINE stopped"), events.stream().map(s -> s.state() + " " + s.reason()).toList());
        assertEquals(Detail.DISABLED, events.get(2).detail());
    }

    @Test
    void editsApplyLiveWhereAllowedOtherwiseRestartAndCountersGoOn() throws Exception {
        adapter.configure(config("web", 80, true));
        adapter.send(Message.builder("other", "room").text("12345").build()).toCompletableFuture().get();
        adapter.configure(config("web", 80, true));
        assertEquals(List.of("start 80"), adapter.calls, "same port: applied live");
        adapter.configure(config("web", 81, true));
        assertEquals(List.of("start 80", "restart", "start 81"), adapter.calls);
        adapter.send(Message.builder("other", "room").text("123").build()).toCompletableFuture().get();
        assertEquals(8, adapter.metrics().bytesOut(), "bytes of both runs");
        assertEquals(2, adapter.metrics().messagesOut());
    }

    @Test
    void sendsWhileStoppedAreNotNowRefusalsAreNever() throws Exception {
        ExecutionException stopped = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> adapter.send(Message.builder("x", "room").text("hi").build()).toCompletableFuture().get());
        assertInstanceOf(EndpointUnavailableException.class, stopped.getCause());
        adapter.configure(config("web", 80, true));
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> adapter.send(Message.builder("x", "room").text("refuse").build()).toCompletableFuture().get());
        assertFalse(refused.getCause() instanceof EndpointUnavailableException);
        assertEquals(1, adapter.metrics().errors(), "a refusal is an error, a stopped endpoint's not-now is not");
    }

    @Test
    void scheduledTasksEndWithTheProtocol() throws Exception {
        adapter.configure(config("web", 80, true));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (adapter.ticks.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(adapter.ticks.get() >= 3, "the repeated task runs");
        adapter.stop();
        int after = adapter.ticks.get();
        Thread.sleep(100);
        assertTrue(adapter.ticks.get() <= after + 1, "at most a tick already under way after stop");
    }

    @Test
    void publishedMessagesAreCountedAndDelivered() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        adapter.subscribe(received::add);
        adapter.configure(config("web", 80, true));
        adapter.received("hello");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("hello", received.get(0).text());
        assertEquals(1, adapter.metrics().messagesIn());
        assertEquals(Map.of("bytesDelivered", 0L), adapter.metrics().details());
    }

    @Test
    void thePanelShowsTheDetailsWhileRunningAndNothingWhenStopped() {
        adapter.configure(config("web", 80, true));
        assertEquals(List.of(new EndpointPanel.Table("details", List.of("figure", "value"),
                List.of(List.of("bytes delivered", "0")))), adapter.tables());
        adapter.stop();
        assertEquals(List.of(), adapter.tables());
    }

}
