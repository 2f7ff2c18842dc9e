package codes.temper.sched;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * A tier's counters, summed over CPUs: {@code struct temper_tier_stats} in bpf/temper.h, stored
 * per CPU in {@code tier_stats}.
 */
public record TierStats(long runtimeNs, long enqueued, long dispatched, long throttled) {
    public static final TierStats ZERO = new TierStats(0, 0, 0, 0);

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("runtime_ns"),
            JAVA_LONG.withName("enqueued"),
            JAVA_LONG.withName("dispatched"),
            JAVA_LONG.withName("throttled")).withName("temper_tier_stats");

    /**
     * Sums a per-CPU lookup result: the kernel returns one value per possible CPU, each rounded up
     * to 8 bytes (already the case for this struct).
     */
    static TierStats sumPerCpu(MemorySegment values, int cpus) {
        long runtime = 0, enq = 0, disp = 0, thr = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            long base = cpu * LAYOUT.byteSize();
            runtime += values.get(JAVA_LONG, base);
            enq += values.get(JAVA_LONG, base + 8);
            disp += values.get(JAVA_LONG, base + 16);
            thr += values.get(JAVA_LONG, base + 24);
        }
        return new TierStats(runtime, enq, disp, thr);
    }

    public TierStats plus(TierStats o) {
        return new TierStats(runtimeNs + o.runtimeNs, enqueued + o.enqueued, dispatched + o.dispatched, throttled + o.throttled);
    }
}
