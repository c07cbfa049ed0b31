package dev.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.transport.internal.TyrusTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeartbeatTest {

    private static final String TIMER = "switchboard-transport-timer";

    private final TyrusTransport transport = new TyrusTransport();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private static List<String> timerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith(TIMER)).toList();
    }

    @Test
    void beatsAtOnceOnTheTransportTimerThenAgain() throws Exception {
        Semaphore beats = new Semaphore(0);
        String[] thread = new String[1];
        try (Heartbeat heartbeat = transport.heartbeat("test", Duration.ofMillis(20), () -> {
            thread[0] = Thread.currentThread().getName();
            beats.release();
        })) {
            assertFalse(heartbeat.running());
            heartbeat.start();
            assertTrue(heartbeat.running());
            assertTrue(beats.tryAcquire(3, 15, TimeUnit.SECONDS), "three beats");
            assertTrue(thread[0].startsWith(TIMER), thread[0]);
        }
    }

    /** Twenty heartbeats, one thread: every beat of every heartbeat runs on the transport's timer. */
    @Test
    void heartbeatsShareTheTransportTimerThread() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Semaphore beats = new Semaphore(0);
        List<Heartbeat> heartbeats = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Heartbeat heartbeat = transport.heartbeat("hb-" + i, Duration.ofMillis(10), () -> {
                threads.add(Thread.currentThread().getName());
                beats.release();
            });
            heartbeat.start();
            heartbeats.add(heartbeat);
        }
        assertTrue(beats.tryAcquire(60, 15, TimeUnit.SECONDS), "three beats each");
        assertEquals(1, threads.size(), "threads that ran beats: " + threads);
        assertTrue(threads.iterator().next().startsWith(TIMER), threads.toString());
        heartbeats.forEach(Heartbeat::close);
    }

    @Test
    void theFirstBeatDoesNotWaitForTheInterval() throws Exception {
        Semaphore beats = new Semaphore(0);
        try (Heartbeat heartbeat = transport.heartbeat("test", Duration.ofDays(1), beats::release)) {
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
        try (Heartbeat heartbeat = transport.heartbeat("test", Duration.ofMillis(10), () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            later.release();
        })) {
            heartbeat.start();
            assertTrue(later.tryAcquire(15, TimeUnit.SECONDS));
        }
    }

    /**
     * After stop no beat runs: on a one-thread timer of the test's own, a marker due three
     * intervals later runs after any beat that could still have been due, so the check needs
     * no clock.
     */
    @Test
    void stopEndsTheScheduleAndCloseForbidsARestart() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger beats = new AtomicInteger();
            Heartbeat heartbeat = new Heartbeat("test", Duration.ofMillis(10), beats::incrementAndGet, timer);
            heartbeat.start();
            awaitCount(beats, 2);
            heartbeat.stop();
            assertFalse(heartbeat.running());
            int atStop = timer.schedule(beats::get, 30, TimeUnit.MILLISECONDS).get(15, TimeUnit.SECONDS);
            assertEquals(atStop, timer.schedule(beats::get, 30, TimeUnit.MILLISECONDS).get(15, TimeUnit.SECONDS),
                    "no beat after stop");
            heartbeat.close();
            heartbeat.start();
            assertFalse(heartbeat.running(), "closed for good");
        } finally {
            timer.shutdownNow();
        }
    }

    /** Closing the transport ends its heartbeats and leaves no timer thread; a later start is ignored. */
    @Test
    void closingTheTransportEndsItsHeartbeatsAndTheirThread() throws Exception {
        Semaphore beats = new Semaphore(0);
        Heartbeat heartbeat = transport.heartbeat("test", Duration.ofMillis(10), beats::release);
        heartbeat.start();
        assertTrue(beats.tryAcquire(15, TimeUnit.SECONDS));
        transport.close();
        assertFalse(heartbeat.running());
        heartbeat.start();
        assertFalse(heartbeat.running(), "the timer is gone");
        awaitNoTimerThread();
        assertThrows(IllegalStateException.class, () -> transport.heartbeat("late", Duration.ofSeconds(1), () -> { }));
    }

    /** Bad input: a zero interval. */
    @Test
    void anIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> transport.heartbeat("test", Duration.ZERO, () -> { }));
    }

    private static void awaitCount(AtomicInteger count, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (count.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                fail("only " + count.get() + " beats");
            }
            Thread.sleep(10);
        }
    }

    private static void awaitNoTimerThread() throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!timerThreads().isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("timer threads still alive: " + timerThreads());
            }
            Thread.sleep(20);
        }
    }
}
