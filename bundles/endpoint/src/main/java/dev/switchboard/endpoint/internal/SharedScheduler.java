package dev.switchboard.endpoint.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread every endpoint shares ({@code switchboard-endpoint-scheduler}) for its
 * short tasks: retries, timeouts, periodic checks. Its thread ends after a few idle seconds and
 * comes back with the next task, so a stopped bundle leaves no thread behind; cancelled tasks
 * leave the queue at once.
 */
public final class SharedScheduler {

    static final String THREAD_NAME = "switchboard-endpoint-scheduler";
    private static final long IDLE_SECONDS = 2;

    private static ScheduledThreadPoolExecutor executor;

    private SharedScheduler() {
    }

    public static synchronized ScheduledExecutorService get() {
        if (executor == null) {
            executor = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, THREAD_NAME);
                thread.setDaemon(true);
                return thread;
            });
            executor.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
            executor.allowCoreThreadTimeOut(true);
            executor.setRemoveOnCancelPolicy(true);
        }
        return executor;
    }
}
