package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.api.DeliveryException;
import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import dev.switchboard.api.Subscription;
import dev.switchboard.itests.peers.kosmi.KosmiDouble;
import dev.switchboard.transport.internal.TyrusTransport;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A Kosmi endpoint against a loopback Kosmi, with what it published and every status it went through. */
abstract class LoopbackKosmiTest {

    /** Generous: only a failure ever waits this long. */
    static final long TIMEOUT_SECONDS = 20;

    @TempDir
    Path data;

    final BlockingQueue<Message> published = new LinkedBlockingQueue<>();
    final List<EndpointStatus> statuses = new CopyOnWriteArrayList<>();
    TyrusTransport transport;
    KosmiDouble kosmi;
    KosmiAdapter adapter;
    private Subscription subscription;
    private Subscription watch;

    @BeforeEach
    void startDouble() throws Exception {
        transport = new TyrusTransport();
        kosmi = new KosmiDouble(transport).start();
    }

    @AfterEach
    void stopEverything() {
        if (subscription != null) {
            subscription.close();
            watch.close();
        }
        if (adapter != null) {
            adapter.stop();
        }
        kosmi.close();
        transport.close();
    }

    TestSettings settings(String... rooms) {
        return TestSettings.loopback(kosmi, rooms);
    }

    KosmiAdapter started(KosmiSettings settings) {
        adapter = new KosmiAdapter(transport, data);
        subscription = adapter.subscribe(published::add);
        watch = adapter.watchStatus((endpoint, status) -> statuses.add(status));
        adapter.start(settings);
        return adapter;
    }

    KosmiAdapter online(String... rooms) throws InterruptedException {
        started(settings(rooms).build());
        awaitOnline();
        return adapter;
    }

    void awaitOnline() throws InterruptedException {
        await("the endpoint is online", () -> adapter.status().state() == EndpointStatus.State.ONLINE);
    }

    void awaitStatus(String fragment) throws InterruptedException {
        await("the status says " + fragment, () -> adapter.status().reason().contains(fragment));
    }

    /** Waits until some status since the start said {@code fragment}; returns the first that did. */
    EndpointStatus awaitStatusSeen(String fragment) throws InterruptedException {
        await("a status said " + fragment, () -> statuses.stream().anyMatch(s -> s.reason().contains(fragment)));
        return statuses.stream().filter(s -> s.reason().contains(fragment)).findFirst().orElseThrow();
    }

    Message nextPublished() throws InterruptedException {
        Message message = published.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(message, "nothing was published");
        return message;
    }

    /** Injects until one subscription receives it: the double may still be finishing a re-join. */
    void injectWhenJoined(String room, String username, String body) throws InterruptedException {
        await("the double delivers to " + room, () -> kosmi.listeners(room) > 0);
        assertEquals(1, kosmi.inject(room, username, username.toUpperCase(), body));
    }

    void send(String room, String text) throws Exception {
        adapter.send(Message.builder("channels.local", room).author("ada", "Ada").text(text).build())
                .toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    DeliveryException sendFails(String room, String text) {
        CompletionException failure = assertThrows(CompletionException.class, () -> adapter.send(
                Message.builder("channels.local", room).text(text).build()).toCompletableFuture()
                .orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join());
        return assertInstanceOf(DeliveryException.class, failure.getCause());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    static KosmiConfig config(Map<String, Object> values) {
        return (KosmiConfig) Proxy.newProxyInstance(KosmiConfig.class.getClassLoader(), new Class<?>[] {KosmiConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
    }
}
