package codes.temper.sched;

/**
 * What the reconcile loop drives: the real BPF scheduler or a dry run. {@link #apply} is level-
 * based and idempotent (it writes only what differs from what it last applied); {@link #detach}
 * is safe mode and always succeeds.
 */
public interface SchedulerDriver extends AutoCloseable {

    /** "bpf" or "dry-run", for status and metrics. */
    String kind();

    /** Makes the scheduler hold {@code desired}, attaching it if it is not attached. */
    ApplyResult apply(SchedulerConfig desired) throws BpfException;

    /** Safe mode: the kernel returns every task to CFS. Idempotent; never throws. */
    void detach();

    boolean attached();

    /** The kernel's view (sysfs) and, once the scheduler was ejected, why. */
    SchedExtState kernelState();

    ExitInfo exitInfo();

    /**
     * The scheduler's per-tier counters since it was loaded: index i for tier i, then the system
     * tier at {@link SchedulerConfig#SYSTEM_TIER}. Empty when nothing is loaded, and always for a
     * dry run (nothing runs to count).
     */
    default java.util.List<TierStats> stats() throws BpfException {
        return java.util.List.of();
    }

    /**
     * The CPU bandwidth the scheduler enforces on each mapped pod's cgroup (its {@code cgroup_bw}
     * entry), by cgroup id; pods without one are absent. Empty when nothing is loaded and always
     * for a dry run.
     */
    default java.util.Map<Long, CgroupBandwidth> podBandwidth() throws BpfException {
        return java.util.Map.of();
    }

    /** Present when this driver holds the scheduler but the kernel has ejected it. */
    default java.util.Optional<Ejection> ejected() {
        return java.util.Optional.empty();
    }

    @Override
    void close();

    /**
     * @param writes   map entries written (tiers, pods added or moved, pods removed)
     * @param attached whether this apply attached the scheduler (a CFS window was paid)
     * @param nanos    time spent writing and attaching
     */
    record ApplyResult(int writes, boolean attached, long nanos) {
    }
}
