package codes.temper.sched;

import java.util.List;
import java.util.Map;

/**
 * What the scheduler should hold: the tier table (index == rank), which pod cgroup is in which
 * tier with which weight, and the node-wide settings. The scheduler knows nothing of pods beyond
 * their cgroup ids.
 *
 * @param tiers at most {@link #MAX_TIERS}; slots past the list are disabled
 * @param pods  kernfs id of the pod-level cgroup -> tier index and weight
 * @param node  the pods root and the default tier; its default tier, when set, is one of
 *              {@code tiers}
 */
public record SchedulerConfig(List<TierConfig> tiers, Map<Long, PodConfig> pods, NodeConfig node) {
    /** TEMPER_MAX_TIERS in bpf/temper.h. */
    public static final int MAX_TIERS = 16;
    /** TEMPER_SYSTEM_TIER: the stats slot of tasks outside the pods. */
    public static final int SYSTEM_TIER = MAX_TIERS;

    public static final SchedulerConfig EMPTY = new SchedulerConfig(List.of(), Map.of(), NodeConfig.NONE);

    public SchedulerConfig {
        tiers = List.copyOf(tiers);
        pods = Map.copyOf(pods);
        if (node == null) node = NodeConfig.NONE;
        if (tiers.size() > MAX_TIERS) throw new IllegalArgumentException(tiers.size() + " tiers; the scheduler holds " + MAX_TIERS);
        for (var e : pods.entrySet()) {
            if (e.getValue().tier() >= tiers.size()) {
                throw new IllegalArgumentException("cgroup " + e.getKey() + " mapped to tier " + e.getValue().tier() + " of " + tiers.size());
            }
        }
        if (node.defaultTier() >= tiers.size()) {
            throw new IllegalArgumentException("default tier " + node.defaultTier() + " of " + tiers.size());
        }
    }

    /**
     * Pods at cgroup v2's default weight (100), no pods root, the scheduler's default tier: for
     * the lab probe and tests that are about tiers, not shares.
     */
    public static SchedulerConfig unweighted(List<TierConfig> tiers, Map<Long, Integer> podTiers) {
        Map<Long, PodConfig> pods = new java.util.HashMap<>();
        podTiers.forEach((cgroup, tier) -> pods.put(cgroup, new PodConfig(tier, DEFAULT_WEIGHT)));
        return new SchedulerConfig(tiers, pods, NodeConfig.NONE);
    }

    /** cgroup v2's default cpu.weight. */
    public static final int DEFAULT_WEIGHT = 100;

    /** cgroup id -> tier index, without the weights. */
    public Map<Long, Integer> podTiers() {
        Map<Long, Integer> m = new java.util.HashMap<>();
        pods.forEach((cgroup, pod) -> m.put(cgroup, pod.tier()));
        return Map.copyOf(m);
    }

    /** The tier slot as the scheduler should hold it: configured, or disabled past the list. */
    public TierConfig tier(int index) {
        return index < tiers.size() ? tiers.get(index) : TierConfig.DISABLED;
    }
}
