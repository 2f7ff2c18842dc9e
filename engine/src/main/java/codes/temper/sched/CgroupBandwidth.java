package codes.temper.sched;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * One entry of the scheduler's {@code cgroup_bw} map: {@code struct temper_bw} in bpf/temper.h,
 * a CPU bandwidth limit the scheduler enforces on one cgroup. Written by the scheduler; the agent
 * only reads it, for its throttling figures.
 *
 * @param budgetNs   left in this period; below 0 = owed to the next
 * @param throttled  times one of the cgroup's tasks was held back for the next period
 * @param source     {@link #SOURCE_KERNEL} (the cgroup's cpu.max, passed by the kernel) or
 *                   {@link #SOURCE_POD} (the pod ceiling the agent wrote)
 */
public record CgroupBandwidth(long quotaNs, long periodNs, long burstNs, long budgetNs, long periodEndNs, long throttled, int source) {
    public static final int SOURCE_KERNEL = 1, SOURCE_POD = 2;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("quota_ns"),
            JAVA_LONG.withName("period_ns"),
            JAVA_LONG.withName("burst_ns"),
            JAVA_LONG.withName("budget_ns"),
            JAVA_LONG.withName("period_end_ns"),
            JAVA_LONG.withName("throttled"),
            JAVA_INT.withName("source"),
            JAVA_INT.withName("pad")).withName("temper_bw");

    static CgroupBandwidth decode(MemorySegment s) {
        return new CgroupBandwidth(s.get(JAVA_LONG, 0), s.get(JAVA_LONG, 8), s.get(JAVA_LONG, 16), s.get(JAVA_LONG, 24),
                s.get(JAVA_LONG, 32), s.get(JAVA_LONG, 40), s.get(JAVA_INT, 48));
    }

    /** The limit in CPUs (quota / period), or 0 when the period is 0. */
    public double cpus() {
        return periodNs <= 0 ? 0 : (double) quotaNs / periodNs;
    }

    /** "cpu.max" or "pod ceiling": where the limit came from. */
    public String sourceName() {
        return switch (source) {
            case SOURCE_KERNEL -> "cpu.max";
            case SOURCE_POD -> "pod ceiling";
            default -> "source " + Integer.toUnsignedString(source);
        };
    }
}
