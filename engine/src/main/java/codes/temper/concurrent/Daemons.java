package codes.temper.concurrent;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Every background thread the agent and the controller start. Daemon threads: shutting down is
 * each owner's {@code close()} (the SIGTERM path stands the scheduler down before anything else),
 * and a thread left behind by a test or a failed start must never keep a JVM alive. Named
 * {@code temper-*}, so a thread dump says whose work each one is.
 */
public final class Daemons {
    private Daemons() {
    }

    public static ThreadFactory factory(String name) {
        return Thread.ofPlatform().daemon().name(name).factory();
    }

    /** Starts {@code body} on a new daemon thread. */
    public static Thread start(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).start(body);
    }

    /** One daemon thread running timed tasks in order. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(factory(name));
    }

    /**
     * Runs {@code body} on {@code executor} every {@code period}, the first time one period from
     * now. A run that throws is logged at {@code level} as {@code failure} and the next run still
     * comes: an executor never runs a periodic task again once it has thrown.
     */
    public static void every(ScheduledExecutorService executor, Duration period, Runnable body,
                             Logger log, Level level, String failure) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                log.log(level, failure, e);
            }
        }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }
}
