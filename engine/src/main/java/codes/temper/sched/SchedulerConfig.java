package codes.temper.sched;

import java.util.List;
import java.util.Map;

/**
 * What the scheduler should hold: the tier table (index == rank) and which pod cgroup is in which
 * tier. The scheduler knows nothing of pods beyond their cgroup ids.
 *
 * @param tiers     at most {@link #MAX_TIERS}; slots past the list are disabled
 * @param podTiers  kernfs id of the pod-level cgroup -> tier index
 */
public record SchedulerConfig(List<TierConfig> tiers, Map<Long, Integer> podTiers) {
    /** TEMPER_MAX_TIERS in bpf/temper.h. */
    public static final int MAX_TIERS = 16;

    public static final SchedulerConfig EMPTY = new SchedulerConfig(List.of(), Map.of());

    public SchedulerConfig {
        tiers = List.copyOf(tiers);
        podTiers = Map.copyOf(podTiers);
        if (tiers.size() > MAX_TIERS) throw new IllegalArgumentException(tiers.size() + " tiers; the scheduler holds " + MAX_TIERS);
        for (var e : podTiers.entrySet()) {
            if (e.getValue() < 0 || e.getValue() >= tiers.size()) {
                throw new IllegalArgumentException("cgroup " + e.getKey() + " mapped to tier " + e.getValue() + " of " + tiers.size());
            }
        }
    }

    /** The tier slot as the scheduler should hold it: configured, or disabled past the list. */
    public TierConfig tier(int index) {
        return index < tiers.size() ? tiers.get(index) : TierConfig.DISABLED;
    }
}
