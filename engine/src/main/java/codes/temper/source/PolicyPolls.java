package codes.temper.source;

import codes.temper.concurrent.Daemons;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Polls a {@link PolicySource} on one daemon thread, waiting as its {@link PollPlan} says, until
 * {@link #close()}. Every poll's result goes to the caller's report.
 */
public final class PolicyPolls implements AutoCloseable {
    private final PolicySource source;
    private final PollPlan plan;
    private final Consumer<PolicySource.PollResult> report;
    private final Clock clock;
    private final ScheduledExecutorService timer = Daemons.scheduler("temper-policy-poll");
    // Only the timer thread draws after start(), so the waits are exactly plan.delays(n).
    private final RandomGenerator random;
    private volatile Instant nextPollAt;

    public PolicyPolls(PolicySource source, PollPlan plan, Consumer<PolicySource.PollResult> report, Clock clock) {
        this.source = source;
        this.plan = plan;
        this.report = report;
        this.clock = clock;
        this.random = plan.random();
    }

    /** Polls once on the caller's thread (start-up wants a policy before anything else), then on the timer. */
    public void start() {
        report.accept(source.poll());
        scheduleNext();
    }

    public PollPlan plan() {
        return plan;
    }

    /** When the next poll is due; null before {@link #start()}. */
    public Instant nextPollAt() {
        return nextPollAt;
    }

    private void scheduleNext() {
        Duration wait = plan.nextDelay(random);
        nextPollAt = clock.instant().plus(wait);
        try {
            timer.schedule(() -> {
                report.accept(source.poll());
                scheduleNext();
            }, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // close() won the race: no more polls.
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
