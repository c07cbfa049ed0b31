package dev.switchboard.endpoint.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One endpoint's tasks on the {@link SharedScheduler}, cancelled together when its protocol stops.
 * A task leaves the set once it ran or was cancelled: a cancelled timeout that stayed until the
 * stop once made a relay server hold every answered request's deadline, and the heap filled.
 */
public final class PendingTasks {

    private final Set<Future<?>> pending = ConcurrentHashMap.newKeySet();

    /** Runs {@code task} once after {@code delay}; cancelling the returned future forgets it. */
    public Future<?> once(Duration delay, Runnable task) {
        Future<?>[] self = new Future<?>[1];
        Future<?> future = SharedScheduler.get().schedule(() -> {
            try {
                task.run();
            } finally {
                pending.remove(self[0]);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
        self[0] = future;
        pending.add(future);
        if (future.isDone()) {
            pending.remove(future);
        }
        return new Forgetting(future);
    }

    /** Runs {@code task} every {@code period}, the first time after one period. */
    public Future<?> every(Duration period, Runnable task) {
        Future<?> future = SharedScheduler.get().scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        pending.add(future);
        return new Forgetting(future);
    }

    public void cancelAll() {
        pending.forEach(task -> task.cancel(false));
        pending.clear();
    }

    /** Tasks neither run nor cancelled. */
    public int size() {
        return pending.size();
    }

    /** A scheduled task that leaves the set when cancelled. */
    private final class Forgetting implements Future<Object> {

        private final Future<?> task;

        Forgetting(Future<?> task) {
            this.task = task;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            pending.remove(task);
            return task.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return task.isCancelled();
        }

        @Override
        public boolean isDone() {
            return task.isDone();
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
            return task.get();
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return task.get(timeout, unit);
        }
    }
}
