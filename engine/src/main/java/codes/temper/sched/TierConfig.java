package codes.temper.sched;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * One entry of the scheduler's {@code tiers} map: {@code struct temper_tier} in bpf/temper.h.
 *
 * @param ceilingMillicpus CPU ceiling over the scheduler's window; 0 = none
 */
public record TierConfig(int rank, boolean enabled, boolean preempt, long sliceNs, long ceilingMillicpus) {
    public static final int ENABLED = 1, PREEMPT = 1 << 1;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("rank"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("slice_ns"),
            JAVA_LONG.withName("ceiling_mcpu")).withName("temper_tier");

    private static final VarHandle RANK = field("rank"), FLAGS = field("flags"), SLICE = field("slice_ns"), CEILING = field("ceiling_mcpu");

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    /** An unused slot: the scheduler treats pods mapped to it as system tasks. */
    public static final TierConfig DISABLED = new TierConfig(0, false, false, 0, 0);

    public TierConfig {
        if (rank < 0 || sliceNs < 0 || ceilingMillicpus < 0) throw new IllegalArgumentException("negative field in " + this);
    }

    void encode(MemorySegment s) {
        RANK.set(s, 0L, rank);
        FLAGS.set(s, 0L, (enabled ? ENABLED : 0) | (preempt ? PREEMPT : 0));
        SLICE.set(s, 0L, sliceNs);
        CEILING.set(s, 0L, ceilingMillicpus);
    }

    static TierConfig decode(MemorySegment s) {
        int flags = (int) FLAGS.get(s, 0L);
        return new TierConfig((int) RANK.get(s, 0L), (flags & ENABLED) != 0, (flags & PREEMPT) != 0,
                (long) SLICE.get(s, 0L), (long) CEILING.get(s, 0L));
    }
}
