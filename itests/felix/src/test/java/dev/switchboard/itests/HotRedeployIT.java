package dev.switchboard.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** Updating the bundle that provides a sink while messages flow loses and duplicates nothing. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotRedeployIT extends SwitchboardTestSupport {

    private static final int MESSAGES = 1000;

    @Test
    public void bundleUpdateUnderTrafficDeliversEveryMessageOnceInOrder() throws Exception {
        TestSource source = source("producer");
        recordingSink("consumer");
        Recorder recorder = recorder("consumer");
        gateway("redeploy", Members.in("producer", "stream"), Members.out("consumer", "stream"));
        awaitGatewayReady("redeploy");
        await("the sink is registered", () -> sinkServiceId("consumer") != null);
        Long sinkBefore = sinkServiceId("consumer");

        AtomicInteger emitted = new AtomicInteger();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < MESSAGES; i++) {
                source.emit("stream", "producer", Integer.toString(i));
                emitted.incrementAndGet();
                pause(1);
            }
        }, "test-producer");
        producer.start();
        await("traffic is flowing", () -> recorder.size() >= MESSAGES / 4);

        Bundle fixtures = installed(FIXTURES);
        int emittedBeforeUpdate = emitted.get();
        fixtures.update();
        int emittedDuringUpdate = emitted.get() - emittedBeforeUpdate;

        producer.join(60_000);
        await("every message arrived", () -> recorder.size() >= MESSAGES);
        Long sinkAfter = sinkServiceId("consumer");
        assertNotEquals("the sink was re-registered by the updated bundle", sinkBefore, sinkAfter);
        assertTrue("messages were published while the sink's bundle was updated: " + emittedDuringUpdate,
                emittedDuringUpdate > 0);

        List<Message> received = recorder.messages;
        assertEquals("exactly once", MESSAGES, received.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < MESSAGES; i++) {
            Message message = received.get(i);
            ids.add(message.id());
            assertEquals("in order at " + i, Integer.toString(i), lastWord(message.text()));
        }
        assertEquals("distinct ids", MESSAGES, ids.size());
    }

    private Long sinkServiceId(String endpoint) {
        try {
            for (ServiceReference<MessageSink> ref : context.getServiceReferences(MessageSink.class,
                    "(" + Endpoint.ENDPOINT_PROPERTY + "=" + endpoint + ")")) {
                return (Long) ref.getProperty("service.id");
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private static String lastWord(String text) {
        String trimmed = text.trim();
        return trimmed.substring(trimmed.lastIndexOf(' ') + 1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
