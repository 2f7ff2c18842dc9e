package codes.temper.sched;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * One entry of the scheduler's {@code pod_tiers} map: {@code struct temper_pod} in bpf/temper.h.
 *
 * @param tier             index into the tier table
 * @param weight           the pod's share within its tier, as kubelet's cpu.weight (1..10000)
 * @param ceilingMillicpus the pod's own CPU ceiling, enforced by the scheduler over 100 ms periods;
 *                         0 = none (kernels that pass cpu.max to the scheduler need none)
 */
public record PodConfig(int tier, int weight, long ceilingMillicpus) {
    /** cpu.weight's range; the scheduler reads 0 as 100, which the agent never writes. */
    public static final int MIN_WEIGHT = 1, MAX_WEIGHT = 10_000;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tier"),
            JAVA_INT.withName("weight"),
            JAVA_LONG.withName("ceiling_mcpu")).withName("temper_pod");

    private static final VarHandle TIER = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("tier")),
            WEIGHT = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("weight")),
            CEILING = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("ceiling_mcpu"));

    public PodConfig {
        if (tier < 0) throw new IllegalArgumentException("negative tier in " + this);
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) throw new IllegalArgumentException("weight " + weight + " outside 1..10000");
        if (ceilingMillicpus < 0) throw new IllegalArgumentException("negative ceiling in " + this);
    }

    /** A pod without a ceiling of its own. */
    public PodConfig(int tier, int weight) {
        this(tier, weight, 0);
    }

    /** At {@code offset} in {@code s}: batch updates lay the values out back to back. */
    void encode(MemorySegment s, long offset) {
        TIER.set(s, offset, tier);
        WEIGHT.set(s, offset, weight);
        CEILING.set(s, offset, ceilingMillicpus);
    }

    static PodConfig decode(MemorySegment s, long offset) {
        return new PodConfig((int) TIER.get(s, offset), (int) WEIGHT.get(s, offset), (long) CEILING.get(s, offset));
    }
}
