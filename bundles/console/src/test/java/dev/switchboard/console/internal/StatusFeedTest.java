package dev.switchboard.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.api.EndpointStatus.Detail;
import dev.switchboard.api.EndpointStatus.State;
import dev.switchboard.api.Message;
import dev.switchboard.endpoint.EndpointSettings;
import dev.switchboard.endpoint.EndpointSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StatusFeedTest {

    private record Settings(String id) implements EndpointSettings {
    }

    /** An endpoint on the real skeleton whose protocol reports what the test tells it to. */
    private static final class Reporting extends EndpointSupport<Settings> {
        Reporting() {
            super("kosmi");
        }

        void report(State state, Detail detail, String reason) {
            updateStatus(state, detail, reason);
        }

        @Override
        protected void startProtocol(Settings settings) {
            updateStatus(State.CONNECTING, Detail.NONE, "connecting to ws://127.0.0.1:1/");
        }

        @Override
        protected void stopProtocol(boolean restarting) {
        }

        @Override
        protected CompletionStage<Void> deliver(Message message) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final StatusFeed log = new StatusFeed(lines::add);

    @Test
    void oneLinePerChangeAsItHappens() {
        Reporting endpoint = new Reporting();
        endpoint.start(new Settings("kosmi.main"));
        log.addEndpoint(endpoint);
        assertEquals(List.of("Endpoint kosmi.main (kosmi) is CONNECTING: connecting to ws://127.0.0.1:1/"), lines);

        endpoint.report(State.CONNECTING, Detail.NONE, "connecting to ws://127.0.0.1:1/");
        assertEquals(1, lines.size(), "nothing changed, nothing logged");

        endpoint.report(State.ONLINE, Detail.NONE, "joined @room");
        endpoint.report(State.CONNECTING, Detail.COMMUNICATION_ERROR, "closed with code 1006; retry 1 in 1000 ms");
        endpoint.stop();
        assertEquals(List.of("Endpoint kosmi.main (kosmi) is CONNECTING: connecting to ws://127.0.0.1:1/",
                "Endpoint kosmi.main (kosmi) is ONLINE: joined @room",
                "Endpoint kosmi.main (kosmi) is CONNECTING (COMMUNICATION_ERROR): closed with code 1006; retry 1 in 1000 ms",
                "Endpoint kosmi.main (kosmi) is OFFLINE (STOPPED): stopped"), lines);

        log.removeEndpoint(endpoint);
        endpoint.start(new Settings("kosmi.main"));
        assertEquals("Endpoint kosmi.main (kosmi) is gone", lines.get(lines.size() - 1),
                "no line after the endpoint's service is gone");
    }

    /** What the Web Console page follows: numbered changes, waited for when there is none yet. */
    @Test
    void theFeedNumbersChangesAndWaitsForTheNext() throws Exception {
        Reporting endpoint = new Reporting();
        endpoint.start(new Settings("demo"));
        log.addEndpoint(endpoint);
        long first = log.latest();
        assertEquals(List.of("CONNECTING"), log.after(first - 1, Duration.ZERO).stream()
                .map(change -> change.status().state().name()).toList());
        assertEquals(List.of(), log.after(first, Duration.ofMillis(20)), "nothing new: empty after the wait");

        Thread later = new Thread(() -> endpoint.report(State.ONLINE, Detail.NONE, "listening"));
        later.start();
        List<StatusFeed.Change> next = log.after(first, Duration.ofSeconds(10));
        later.join();
        assertEquals(1, next.size());
        assertEquals("demo", next.get(0).endpoint());
        assertEquals(State.ONLINE, next.get(0).status().state());
        assertEquals(first + 1, next.get(0).seq());
    }
}
