package dev.switchboard.endpoint.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An endpoint's timers: cancelled and finished tasks are forgotten, the rest cancelled together. */
class PendingTasksTest {

    private final PendingTasks tasks = new PendingTasks();

    @Test
    void cancelledTimeoutsAreForgottenAtOnce() {
        // bad input: thousands of timeouts answered in time, as a relay server's requests are
        List<Future<?>> timeouts = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            timeouts.add(tasks.once(Duration.ofMinutes(10), () -> { }));
        }
        assertEquals(5_000, tasks.size());
        timeouts.forEach(timeout -> assertTrue(timeout.cancel(false)));
        assertEquals(0, tasks.size(), "a cancelled task is held until the endpoint stops");
        assertTrue(timeouts.get(0).isCancelled());
    }

    @Test
    void aTaskThatRanIsForgotten() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Future<?> task = tasks.once(Duration.ofMillis(1), ran::incrementAndGet);
        Await.until("the task ran and left", () -> ran.get() == 1 && tasks.size() == 0);
        assertTrue(task.isDone());
    }

    @Test
    void cancelAllStopsRepeatedAndPendingTasks() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        Future<?> repeated = tasks.every(Duration.ofMillis(5), ticks::incrementAndGet);
        Future<?> later = tasks.once(Duration.ofMinutes(10), ticks::incrementAndGet);
        Await.until("the repeated task runs", () -> ticks.get() >= 2);
        tasks.cancelAll();
        assertEquals(0, tasks.size());
        assertTrue(repeated.isCancelled());
        assertTrue(later.isCancelled());
        assertFalse(later.cancel(false), "cancelled once only");
    }
}
