package dev.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeartbeatTest {

    private static final String THREAD = "switchboard-test-heartbeat";

    private static boolean threadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals(THREAD));
    }

    private static void awaitNoThread() throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (threadAlive()) {
            if (System.nanoTime() > deadline) {
                fail("the heartbeat thread is still alive");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void beatsAtOnceOnItsOwnThreadThenAgain() throws Exception {
        Semaphore beats = new Semaphore(0);
        String[] thread = new String[1];
        try (Heartbeat heartbeat = new Heartbeat(THREAD, Duration.ofMillis(20), () -> {
            thread[0] = Thread.currentThread().getName();
            beats.release();
        })) {
            assertFalse(heartbeat.running());
            heartbeat.start();
            assertTrue(heartbeat.running());
            assertTrue(beats.tryAcquire(3, 15, TimeUnit.SECONDS), "three beats");
            assertEquals(THREAD, thread[0]);
        }
        awaitNoThread();
    }

    @Test
    void theFirstBeatDoesNotWaitForTheInterval() throws Exception {
        Semaphore beats = new Semaphore(0);
        try (Heartbeat heartbeat = new Heartbeat(THREAD, Duration.ofDays(1), beats::release)) {
            heartbeat.start();
            assertTrue(beats.tryAcquire(15, TimeUnit.SECONDS));
            heartbeat.start();
            assertTrue(beats.tryAcquire(15, TimeUnit.SECONDS), "a restart beats at once again");
        }
    }

    /** Bad input: a beat that throws; the schedule goes on. */
    @Test
    void aFailingBeatDoesNotEndTheSchedule() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Semaphore later = new Semaphore(0);
        try (Heartbeat heartbeat = new Heartbeat(THREAD, Duration.ofMillis(10), () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            later.release();
        })) {
            heartbeat.start();
            assertTrue(later.tryAcquire(15, TimeUnit.SECONDS));
        }
    }

    @Test
    void stopEndsTheThreadAndCloseForbidsARestart() throws Exception {
        Semaphore beats = new Semaphore(0);
        Heartbeat heartbeat = new Heartbeat(THREAD, Duration.ofMillis(10), beats::release);
        heartbeat.start();
        assertTrue(beats.tryAcquire(15, TimeUnit.SECONDS));
        heartbeat.stop();
        assertFalse(heartbeat.running());
        awaitNoThread();
        heartbeat.close();
        heartbeat.start();
        assertFalse(heartbeat.running(), "closed for good");
    }

    /** Bad input: a zero interval. */
    @Test
    void anIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new Heartbeat(THREAD, Duration.ZERO, () -> { }));
    }
}
