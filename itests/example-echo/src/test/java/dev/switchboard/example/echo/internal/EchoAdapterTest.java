package dev.switchboard.example.echo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.EndpointUnavailableException;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The echo endpoint outside OSGi: what it is sent comes back out of its source; bad values are named. */
class EchoAdapterTest {

    private static final long TIMEOUT_SECONDS = 10;

    private final BlockingQueue<Message> published = new LinkedBlockingQueue<>();
    private final EchoAdapter echo = new EchoAdapter();
    private Subscription subscription;

    @BeforeEach
    void subscribe() {
        subscription = echo.subscribe(published::add);
    }

    @AfterEach
    void stop() {
        subscription.close();
        echo.stop();
    }

    @Test
    void aChatMessageComesBackOnTheSameChannelBehindThePrefix() throws Exception {
        echo.start(new EchoAdapter.Settings("echo-1", true, "echo: ", Duration.ZERO));
        assertEquals(EndpointStatus.State.ONLINE, echo.status().state());

        Message sent = Message.builder("elsewhere", "lobby").author("ada", "Ada").text("hello").build();
        echo.send(sent).toCompletableFuture().join();

        Message back = next();
        assertEquals("echo-1", back.endpoint());
        assertEquals("lobby", back.channel());
        assertEquals("echo: hello", back.text());
        assertEquals("Ada", back.author().name());
        assertEquals(Map.of(EchoAdapter.ECHO_OF, sent.id()), back.data());
        assertEquals(1, echo.metrics().messagesIn());
        assertEquals(1, echo.metrics().messagesOut());
    }

    @Test
    void aDelayedEchoComesLaterAndAnEditAppliesWithoutRestart() throws Exception {
        echo.start(new EchoAdapter.Settings("echo-2", true, "", Duration.ofMillis(50)));
        echo.send(Message.builder("elsewhere", "c").text("one").build()).toCompletableFuture().join();
        assertEquals("one", next().text());

        EndpointStatus running = echo.status();
        echo.modified(config(Map.of("id", "echo-2", "prefix", "again: ")));
        assertSame(running, echo.status(), "not restarted");
        echo.send(Message.builder("elsewhere", "c").text("two").build()).toCompletableFuture().join();
        assertEquals("again: two", next().text());
    }

    /** Bad input: an echo of an echo (no ping-pong), a protocol event, a stopped endpoint. */
    @Test
    void echoesEventsAndAStoppedEndpointAreNotEchoed() throws Exception {
        echo.start(new EchoAdapter.Settings("echo-3", true, "", Duration.ZERO));
        Message echoOfSomeone = Message.builder("other-echo", "c").text("x").data(Map.of(EchoAdapter.ECHO_OF, "1")).build();
        echo.send(echoOfSomeone).toCompletableFuture().join();

        Message event = Message.builder("elsewhere", "c").event("typing").build();
        CompletionException never = assertThrows(CompletionException.class,
                () -> echo.send(event).toCompletableFuture().join());
        assertInstanceOf(DeliveryException.class, never.getCause());

        // a marker after both: the source keeps order, so nothing else was published before it
        echo.send(Message.builder("elsewhere", "c").text("marker").build()).toCompletableFuture().join();
        assertEquals("marker", next().text());
        assertNull(published.poll(), "only the marker came back");

        echo.stop();
        CompletionException notNow = assertThrows(CompletionException.class,
                () -> echo.send(Message.builder("elsewhere", "c").text("late").build()).toCompletableFuture().join());
        assertInstanceOf(EndpointUnavailableException.class, notNow.getCause());
    }

    @Test
    void aValueOutOfRangeIsNamedAndTheDefaultsWork() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> EchoAdapter.settings(config(Map.of("delayMillis", 60_001))));
        assertTrue(tooLong.getMessage().startsWith("delayMillis = 60001"), tooLong.getMessage());
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> EchoAdapter.settings(config(Map.of("id", " "))));
        assertTrue(blank.getMessage().startsWith("id"), blank.getMessage());

        EchoAdapter.Settings defaults = EchoAdapter.settings(config(Map.of()));
        assertEquals(new EchoAdapter.Settings("echo", true, "", Duration.ZERO), defaults);
    }

    private Message next() throws InterruptedException {
        Message message = published.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(message, "nothing came back");
        return message;
    }

    private static EchoConfig config(Map<String, Object> values) {
        return (EchoConfig) Proxy.newProxyInstance(EchoAdapterTest.class.getClassLoader(),
                new Class<?>[] {EchoConfig.class},
                (proxy, method, args) -> values.getOrDefault(method.getName(), method.getDefaultValue()));
    }
}
