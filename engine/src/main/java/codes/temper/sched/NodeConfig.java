package codes.temper.sched;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The scheduler's node-wide settings, {@code node_config[0]}: {@code struct temper_config} in
 * bpf/temper.h.
 *
 * @param podsCgroupId kernfs id of the cgroup all pods live under (kubepods.slice or kubepods);
 *                     0 = unknown, and every task the map does not place is system work
 * @param defaultTier  the tier of a task below the pods root whose pod is not mapped yet (the
 *                     policy's default tier), or -1 for the scheduler's own default (the
 *                     lowest-ranked enabled tier)
 * @param systemFloorMillicpus CPU system work is served first up to, each window, and after every
 *                     tier beyond (so it is bounded under saturation); 0 = the scheduler's default
 *                     (10 % of the node)
 */
public record NodeConfig(long podsCgroupId, int defaultTier, long systemFloorMillicpus) {
    /** TEMPER_CFG_DEFAULT_TIER. */
    public static final int DEFAULT_TIER = 1;

    /** What a freshly loaded scheduler holds: a zeroed entry. */
    public static final NodeConfig NONE = new NodeConfig(0, -1, 0);

    /** With the scheduler's default system floor. */
    public NodeConfig(long podsCgroupId, int defaultTier) {
        this(podsCgroupId, defaultTier, 0);
    }

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("pods_cgroup_id"),
            JAVA_INT.withName("default_tier"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("system_floor_mcpu")).withName("temper_config");

    private static final VarHandle PODS = field("pods_cgroup_id"), DEFAULT = field("default_tier"), FLAGS = field("flags"),
            SYSTEM_FLOOR = field("system_floor_mcpu");

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    public NodeConfig {
        if (podsCgroupId < 0) throw new IllegalArgumentException("negative cgroup id in " + this);
        if (defaultTier < -1) throw new IllegalArgumentException("default tier " + defaultTier);
        if (systemFloorMillicpus < 0) throw new IllegalArgumentException("negative system floor in " + this);
    }

    public boolean hasDefaultTier() {
        return defaultTier >= 0;
    }

    void encode(MemorySegment s) {
        PODS.set(s, 0L, podsCgroupId);
        DEFAULT.set(s, 0L, hasDefaultTier() ? defaultTier : 0);
        FLAGS.set(s, 0L, hasDefaultTier() ? DEFAULT_TIER : 0);
        SYSTEM_FLOOR.set(s, 0L, systemFloorMillicpus);
    }

    static NodeConfig decode(MemorySegment s) {
        int flags = (int) FLAGS.get(s, 0L);
        return new NodeConfig((long) PODS.get(s, 0L), (flags & DEFAULT_TIER) != 0 ? (int) DEFAULT.get(s, 0L) : -1,
                (long) SYSTEM_FLOOR.get(s, 0L));
    }
}
