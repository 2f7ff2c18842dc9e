package codes.temper.sched;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Chosen where sched_ext or the privileges to load a scheduler are missing: computes exactly the
 * writes the BPF driver would make, records them, and says loudly that nothing reaches the kernel.
 */
public final class DryRunDriver implements SchedulerDriver {
    private static final Logger LOG = System.getLogger(DryRunDriver.class.getName());

    /**
     * Diffs kept for inspection, newest last. A dry run can last the life of a node (a kernel
     * without sched_ext), where every pass of months of pod churn would otherwise stay in memory.
     */
    public static final int HISTORY = 256;

    private final String why;
    private final ArrayDeque<ConfigDiff> history = new ArrayDeque<>();
    private long applies;
    // Read by the status and by tests on other threads than the loop's.
    private volatile SchedulerConfig applied = SchedulerConfig.EMPTY;
    private volatile boolean attached;

    public DryRunDriver(String why) {
        this.why = why;
        LOG.log(Level.WARNING, "DRY RUN: no scheduler will be loaded ({0}); decisions are computed and reported only", why);
    }

    public String why() {
        return why;
    }

    /** {@link #kind()} of every dry run. */
    public static final String KIND = "dry-run";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public ApplyResult apply(SchedulerConfig desired) {
        long t0 = System.nanoTime();
        ConfigDiff diff = ConfigDiff.between(applied, desired);
        synchronized (this) {
            history.addLast(diff);
            if (history.size() > HISTORY) history.removeFirst();
            applies++;
        }
        boolean attaching = !attached;
        if (!diff.isEmpty() || attaching) {
            LOG.log(Level.WARNING, "DRY RUN: would write {0} map entries{1}", diff.writes(), attaching ? " and attach" : "");
        }
        applied = desired;
        attached = true;
        return new ApplyResult(diff.writes(), attaching, System.nanoTime() - t0);
    }

    /** The last {@value #HISTORY} diffs applied, oldest first: what the BPF driver would have written. */
    public synchronized List<ConfigDiff> history() {
        return List.copyOf(history);
    }

    /** How many diffs were applied in all, including those no longer in {@link #history()}. */
    public synchronized long applies() {
        return applies;
    }

    public SchedulerConfig applied() {
        return applied;
    }

    @Override
    public void detach() {
        if (attached) LOG.log(Level.WARNING, "DRY RUN: would detach (safe mode)");
        attached = false;
        applied = SchedulerConfig.EMPTY;
    }

    @Override
    public boolean attached() {
        return attached;
    }

    /** Nothing runs, so nothing is counted: the status says the counters are unavailable. */
    @Override
    public List<TierStats> stats() {
        return List.of();
    }

    @Override
    public SchedExtState kernelState() {
        return SchedExtState.ABSENT;
    }

    @Override
    public ExitInfo exitInfo() {
        return ExitInfo.NONE;
    }

    @Override
    public void close() {
        detach();
    }
}
