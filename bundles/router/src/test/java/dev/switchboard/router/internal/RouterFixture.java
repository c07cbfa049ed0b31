package dev.switchboard.router.internal;

import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.SinkInfo;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** A router per test, closed after it, with the check that every thread it started has ended. */
abstract class RouterFixture {

    static final String THREAD_PREFIX = "switchboard-router-";

    Router router = new Router();

    @AfterEach
    void closeRouterAndCheckThreads() {
        router.close();
        assertEquals(List.of(), routerThreads(), "threads left running after close");
    }

    static List<String> routerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(THREAD_PREFIX))
                .toList();
    }

    TestEndpoint endpoint(String id, String protocol) {
        return new TestEndpoint(id, protocol).attachTo(router);
    }

    /** Configures a gateway whose PID is its name. */
    void configure(Settings settings) {
        router.configure(settings.name(), settings.build());
    }

    GatewayInfo gateway(String name) {
        return router.gateways().stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no gateway " + name));
    }

    SinkInfo queue(String gateway, String endpoint) {
        return gateway(gateway).sinks().stream().filter(s -> s.endpoint().equals(endpoint)).findFirst()
                .orElseThrow(() -> new AssertionError("gateway " + gateway + " has no queue for " + endpoint));
    }

    /** Waits, up to a generous limit, for a condition that other threads make true. */
    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TestEndpoint.PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("never happened: " + what);
            }
            try {
                Thread.sleep(Duration.ofMillis(5).toMillis());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
