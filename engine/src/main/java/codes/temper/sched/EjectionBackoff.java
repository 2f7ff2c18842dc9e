package codes.temper.sched;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * What to do after the kernel ejected the scheduler. A scheduler that keeps getting ejected must
 * not be re-attached in a loop (each attach and each ejection costs a CFS window and log noise):
 * re-attach after a doubling delay, and after {@code maxEjections} within {@code window} stay on
 * CFS until an operator or a new policy revision calls {@link #reset()}.
 */
public final class EjectionBackoff {
    private final int maxEjections;
    private final Duration firstDelay, maxDelay, window;
    private final Deque<Instant> recent = new ArrayDeque<>();
    private boolean gaveUp;

    public EjectionBackoff(int maxEjections, Duration firstDelay, Duration maxDelay, Duration window) {
        this.maxEjections = maxEjections;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        this.window = window;
    }

    /** 5 ejections in 30 minutes, first retry after 10 s, at most 5 minutes apart. */
    public static EjectionBackoff defaults() {
        return new EjectionBackoff(5, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(30));
    }

    /** Records an ejection; the instant to try again, or empty: stay on CFS. */
    public Optional<Instant> onEjection(Instant now) {
        while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(window))) recent.removeFirst();
        recent.addLast(now);
        if (recent.size() >= maxEjections) {
            gaveUp = true;
            return Optional.empty();
        }
        Duration delay = firstDelay.multipliedBy(1L << Math.min(recent.size() - 1, 20));
        return Optional.of(now.plus(delay.compareTo(maxDelay) > 0 ? maxDelay : delay));
    }

    public boolean gaveUp() {
        return gaveUp;
    }

    public int recentEjections() {
        return recent.size();
    }

    /** A new policy revision or an operator's request: allow attaching again. */
    public void reset() {
        recent.clear();
        gaveUp = false;
    }
}
