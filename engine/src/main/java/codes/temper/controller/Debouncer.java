package codes.temper.controller;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Coalesces bursts of triggers into one run: the action runs once the triggers have been quiet
 * for {@code quiet}, but no later than {@code maxDelay} after the first unserved trigger, so a
 * never-ending stream of node updates cannot starve the reconcile. The action always runs on the
 * executor's single thread, so two passes never overlap; a trigger during a pass schedules the
 * next one.
 */
final class Debouncer {

    private final long quietNanos;
    private final long maxDelayNanos;
    private final Runnable action;
    private final ScheduledExecutorService executor;
    private final LongSupplier nanoTime;

    private long firstPending = -1;
    private long lastTrigger;
    private boolean scheduled;

    Debouncer(Duration quiet, Duration maxDelay, Runnable action, ScheduledExecutorService executor) {
        this(quiet, maxDelay, action, executor, System::nanoTime);
    }

    Debouncer(Duration quiet, Duration maxDelay, Runnable action, ScheduledExecutorService executor,
              LongSupplier nanoTime) {
        if (maxDelay.compareTo(quiet) < 0) throw new IllegalArgumentException("maxDelay < quiet");
        this.quietNanos = quiet.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.action = action;
        this.executor = executor;
        this.nanoTime = nanoTime;
    }

    synchronized void trigger() {
        long now = nanoTime.getAsLong();
        if (firstPending < 0) firstPending = now;
        lastTrigger = now;
        if (!scheduled) {
            scheduled = true;
            schedule(quietNanos);
        }
    }

    private void schedule(long delayNanos) {
        try {
            executor.schedule(this::fire, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the controller is closing; nothing left to reconcile for
        }
    }

    private void fire() {
        synchronized (this) {
            long now = nanoTime.getAsLong();
            long due = Math.min(lastTrigger + quietNanos, firstPending + maxDelayNanos);
            if (now < due) {
                schedule(due - now);
                return;
            }
            firstPending = -1;
            scheduled = false;
        }
        action.run();
    }
}
