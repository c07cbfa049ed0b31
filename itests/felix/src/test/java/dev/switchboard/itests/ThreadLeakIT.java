package dev.switchboard.itests;

import dev.switchboard.api.EndpointStatus;
import dev.switchboard.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Nothing Switchboard starts outlives it: after the bundles that did the work stop, and again after
 * their configurations are removed, every thread alive that was not alive before the work has
 * ended, whatever its name and whoever started it. The only exceptions are the threads in
 * {@link #STARTED_ONCE_AND_KEPT}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ThreadLeakIT extends SwitchboardTestSupport {

    /**
     * Threads the JDK starts the first time something needs them and then keeps for the life of
     * the JVM, whoever asked first: they are not Switchboard's to end. Each entry says who starts it.
     */
    private static final List<Pattern> STARTED_ONCE_AND_KEPT = List.of(
            // CompletableFuture.orTimeout (the router's send timeout for a sink that answers later)
            // schedules on one static daemon thread of the JDK, CompletableFuture.Delayer, that never ends
            Pattern.compile("CompletableFutureDelayScheduler"));

    /** The bundles that run the work below, stopped in this order and started in the reverse one. */
    private static final List<String> WORKING_BUNDLES = List.of(FIXTURES, ECHO, "dev.switchboard.router",
            "dev.switchboard.endpoint", "dev.switchboard.transport");

    @Test
    public void stoppedBundlesAndRemovedConfigurationsLeaveNoThread() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();

        // the work: a message crosses a real WebSocket (transport client and server, fixtures' loop)
        // and comes back from an echo endpoint after a delay (the skeleton's source thread and scheduler)
        TestSource source = source("leak-source");
        webSocketLoop("leak-loop");
        echo("leak-echo", "delayMillis", 1);
        recordingSink("leak-sink");
        Recorder recorder = recorder("leak-sink");
        gateway("leak-in", Members.in("leak-source", "c"), Members.out("leak-loop", "c"),
                Members.out("leak-echo", "c"));
        gateway("leak-out", Members.in("leak-loop", "c"), Members.in("leak-echo", "c"), Members.out("leak-sink", "c"));
        await("the loop is online", () -> endpointState("leak-loop") == EndpointStatus.State.ONLINE);
        awaitGatewayReady("leak-in");
        awaitGatewayReady("leak-out");
        awaitRoundTrip(source, recorder, "warm up every thread");

        for (String bundle : WORKING_BUNDLES) {
            installed(bundle).stop();
        }
        awaitNoThreadBut(before, "once the bundles stopped");

        // and they come back: the configurations that stayed route again
        for (int i = WORKING_BUNDLES.size() - 1; i >= 0; i--) {
            installed(WORKING_BUNDLES.get(i)).start();
        }
        await("the loop is online again", () -> endpointState("leak-loop") == EndpointStatus.State.ONLINE);
        awaitGatewayReady("leak-in");
        awaitGatewayReady("leak-out");
        awaitRoundTrip(source, recorder, "after the restart");

        cleanUp();
        awaitNoThreadBut(before, "once the configurations were removed");
    }

    /** Emits a message and waits for both its copies: through the WebSocket loop, and echoed. */
    private static void awaitRoundTrip(TestSource source, Recorder recorder, String text) throws InterruptedException {
        Message sent = source.emit("c", "x", text);
        await("'" + text + "' went round the loop", () -> recorder.received(sent));
        await("'" + text + "' was echoed", () -> recorder.messages.stream()
                .anyMatch(m -> m.data() instanceof Map<?, ?> data && sent.id().equals(data.get("echoOf"))));
    }

    private static void awaitNoThreadBut(Set<Thread> before, String when) throws InterruptedException {
        List<String> left = new ArrayList<>();
        Await.until("no thread that was not there before is left " + when, () -> {
            left.clear();
            left.addAll(newThreads(before));
            return left.isEmpty();
        }, () -> left);
    }

    private static List<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().isAlive() && !before.contains(e.getKey()))
                .filter(e -> STARTED_ONCE_AND_KEPT.stream().noneMatch(p -> p.matcher(e.getKey().getName()).matches()))
                .map(e -> describe(e.getKey(), e.getValue()))
                .sorted()
                .collect(Collectors.toList());
    }

    private static String describe(Thread thread, StackTraceElement[] stack) {
        return thread.getName() + " (" + thread.getState() + (stack.length == 0 ? "" : " in " + stack[0]) + ")";
    }
}
