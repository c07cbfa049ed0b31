package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import dev.switchboard.api.EndpointStatus;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** A stopped bundle leaves no thread behind: every thread Switchboard starts is named for its owner. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ThreadLeakIT extends SwitchboardTestSupport {

    @Test
    public void stoppingBundlesEndsTheirThreads() throws Exception {
        TestSource source = source("leak-source");
        webSocketLoop("leak-loop");
        recordingSink("leak-sink");
        Recorder recorder = recorder("leak-sink");
        gateway("leak-in", Members.in("leak-source", "c"), Members.out("leak-loop", "c"));
        gateway("leak-out", Members.in("leak-loop", "c"), Members.out("leak-sink", "c"));
        await("the loop is online", () -> {
            try {
                return endpointState("leak-loop") == EndpointStatus.State.ONLINE;
            } catch (Exception e) {
                return false;
            }
        });
        awaitGatewayReady("leak-in");
        awaitGatewayReady("leak-out");
        source.emit("c", "x", "warm up every thread");
        await("the message went round", () -> recorder.size() == 1);
        assertFalse("router threads exist while it runs", threads("switchboard-router").isEmpty());

        // the fixtures bundle owns the loop's client and server: its transport instance goes with it
        // (the router keeps its queue thread for the absent sink: it waits for the sink's return)
        installed(FIXTURES).stop();
        awaitNoThreads("ws-server-leak-loop");
        awaitNoThreads("ws-client-leak-loop");

        installed("dev.switchboard.router").stop();
        awaitNoThreads("switchboard-router");

        installed("dev.switchboard.transport").stop();
        awaitNoThreads("switchboard-");
        awaitNoThreads("grizzly");
        awaitNoThreads("tyrus");

        // and they come back
        installed("dev.switchboard.transport").start();
        installed("dev.switchboard.router").start();
        installed(FIXTURES).start();
        assertEquals(Bundle.ACTIVE, installed("dev.switchboard.router").getState());
    }

    private void awaitNoThreads(String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<String> left = threads(fragment);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = threads(fragment);
        }
        assertEquals("threads named *" + fragment + "* left", List.of(), left);
    }

    private static List<String> threads(String fragment) {
        String needle = fragment.toLowerCase(Locale.ROOT);
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.toLowerCase(Locale.ROOT).contains(needle))
                .sorted()
                .collect(Collectors.toList());
    }
}
