package codes.temper.concurrent;

import java.time.Duration;
import java.util.Optional;

/**
 * When a {@link CoalescingLoop} acts next, as a pure function of its state and the time: no clock
 * is read and no lock is held here, so tests decide every case without threads or sleeps.
 *
 * <p>A burst runs once it has been quiet for {@code quiet}, but no later than {@code maxDelay}
 * after its first event ({@code min(last + quiet, first + maxDelay)}), so a never-ending stream of
 * events cannot starve the pass. An urgent event runs at once. With nothing pending, a resync is
 * due {@code resync} after the loop went idle; a requested retry is due at its own time.
 */
public final class Coalescing {
    /** No retry asked for. */
    public static final long NEVER = Long.MAX_VALUE;

    private Coalescing() {
    }

    /** @param quiet the debounce; {@code maxDelay >= quiet} */
    public record Pacing(Duration quiet, Duration maxDelay, Duration resync) {
        public Pacing {
            if (maxDelay.compareTo(quiet) < 0) throw new IllegalArgumentException("maxDelay < quiet");
        }
    }

    /**
     * The loop's state, in {@link System#nanoTime} units.
     *
     * @param pending   events not served yet
     * @param first     when the first of them came (meaningless when none)
     * @param last      when the last of them came
     * @param idleSince when the loop last finished a pass (or started)
     * @param retryAt   when a retry is due, or {@link #NEVER}
     */
    public record State(int pending, boolean urgent, long first, long last, long idleSince, long retryAt) {
    }

    /** What to do next. */
    public sealed interface Step {
    }

    /** Serve the pending events now. */
    public record Run() implements Step {
    }

    /** Nothing is due for this long. */
    public record Wait(long nanos) implements Step {
    }

    /** The retry is due: count it as an event (it is then debounced like any other). */
    public record Retry() implements Step {
    }

    /** Idle for the whole resync period: count a resync as an event. */
    public record Resync() implements Step {
    }

    public static Step next(State s, long now, Pacing p) {
        // Subtractions, not comparisons of absolute values: nanoTime may be negative and may wrap.
        if (s.retryAt() != NEVER && now - s.retryAt() >= 0) return new Retry();
        long until;
        if (s.pending() == 0) {
            long resync = s.idleSince() + p.resync().toNanos() - now;
            if (resync <= 0) return new Resync();
            until = resync;
        } else {
            if (s.urgent()) return new Run();
            until = due(s.first(), s.last(), p) - now;
            if (until <= 0) return new Run();
        }
        if (s.retryAt() != NEVER) until = Math.min(until, s.retryAt() - now);
        return new Wait(until);
    }

    /**
     * Where the loop's thread is, for liveness, in {@link System#nanoTime} units.
     *
     * @param started   the thread was started
     * @param alive     it is still running (false once it died of an Error, or after close)
     * @param closed    the loop was closed on purpose
     * @param inPass    a pass is running now
     * @param passStart when that pass began (meaningless when none)
     * @param trigger   what that pass serves, or null
     */
    public record Progress(boolean started, boolean alive, boolean closed, boolean inPass, long passStart, String trigger) {
    }

    /**
     * Why the loop is not making progress, or empty when it is. Waiting for events is progress
     * (nothing is due); a pass running longer than {@code stuckAfter} is not (it waits on a lock,
     * a hung file system or a runaway evaluation, and no change will ever be applied), nor is a
     * thread that died. A liveness probe that fails on this restarts the agent, and the restart
     * leaves the node on CFS until it has decided again: the fail-safe direction.
     */
    public static Optional<String> stalled(Progress p, long now, Duration stuckAfter) {
        if (!p.started() || p.closed()) return Optional.empty();
        if (!p.alive()) return Optional.of("the loop's thread has died; no change will be applied");
        if (p.inPass() && now - p.passStart() > stuckAfter.toNanos()) {
            return Optional.of("a pass (trigger " + p.trigger() + ") has run for " + (now - p.passStart()) / 1_000_000_000L
                    + " s, over the " + stuckAfter.toSeconds() + " s bound: the loop is stuck");
        }
        return Optional.empty();
    }

    /** When a burst that began at {@code first} and last grew at {@code last} is served. */
    public static long due(long first, long last, Pacing p) {
        long quiet = last + p.quiet().toNanos(), cap = first + p.maxDelay().toNanos();
        return quiet - cap < 0 ? quiet : cap;
    }
}
