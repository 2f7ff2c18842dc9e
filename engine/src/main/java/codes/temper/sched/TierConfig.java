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
 * @param floorMillicpus   CPU the tier keeps while higher tiers saturate the node; 0 = none,
 *                         {@link #DEFAULT_FLOOR} = the scheduler's default (1 % of the node)
 */
public record TierConfig(int rank, boolean enabled, boolean preempt, long sliceNs, long ceilingMillicpus, long floorMillicpus) {
    public static final int ENABLED = 1, PREEMPT = 1 << 1, NO_FLOOR = 1 << 2;
    /** floor_mcpu left 0 without TEMPER_TIER_NO_FLOOR: the scheduler picks. */
    public static final long DEFAULT_FLOOR = -1;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("rank"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("slice_ns"),
            JAVA_LONG.withName("ceiling_mcpu"),
            JAVA_LONG.withName("floor_mcpu")).withName("temper_tier");

    private static final VarHandle RANK = field("rank"), FLAGS = field("flags"), SLICE = field("slice_ns"), CEILING = field("ceiling_mcpu"),
            FLOOR = field("floor_mcpu");

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    /** An unused slot: the scheduler treats pods mapped to it as system tasks. */
    public static final TierConfig DISABLED = new TierConfig(0, false, false, 0, 0, DEFAULT_FLOOR);

    public TierConfig {
        if (rank < 0 || sliceNs < 0 || ceilingMillicpus < 0 || floorMillicpus < DEFAULT_FLOOR) {
            throw new IllegalArgumentException("negative field in " + this);
        }
    }

    /** A tier with the scheduler's default floor. */
    public TierConfig(int rank, boolean enabled, boolean preempt, long sliceNs, long ceilingMillicpus) {
        this(rank, enabled, preempt, sliceNs, ceilingMillicpus, DEFAULT_FLOOR);
    }

    void encode(MemorySegment s) {
        RANK.set(s, 0L, rank);
        FLAGS.set(s, 0L, (enabled ? ENABLED : 0) | (preempt ? PREEMPT : 0) | (floorMillicpus == 0 ? NO_FLOOR : 0));
        SLICE.set(s, 0L, sliceNs);
        CEILING.set(s, 0L, ceilingMillicpus);
        FLOOR.set(s, 0L, Math.max(0, floorMillicpus));
    }

    static TierConfig decode(MemorySegment s) {
        int flags = (int) FLAGS.get(s, 0L);
        long floor = (long) FLOOR.get(s, 0L);
        return new TierConfig((int) RANK.get(s, 0L), (flags & ENABLED) != 0, (flags & PREEMPT) != 0,
                (long) SLICE.get(s, 0L), (long) CEILING.get(s, 0L), floor != 0 ? floor : (flags & NO_FLOOR) != 0 ? 0 : DEFAULT_FLOOR);
    }
}
