package codes.temper.sched;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The map writes that take the scheduler from {@code applied} to {@code desired}: only changed
 * tier slots and pod entries. Pod churn therefore costs a few map updates and never a restart.
 *
 * @param tiers  tier slots to (re)write, by index
 * @param upsert pod cgroups to add or move
 * @param remove pod cgroups to delete
 */
public record ConfigDiff(Map<Integer, TierConfig> tiers, Map<Long, Integer> upsert, List<Long> remove) {

    public static ConfigDiff between(SchedulerConfig applied, SchedulerConfig desired) {
        Map<Integer, TierConfig> tiers = new LinkedHashMap<>();
        for (int i = 0; i < SchedulerConfig.MAX_TIERS; i++) {
            if (!applied.tier(i).equals(desired.tier(i))) tiers.put(i, desired.tier(i));
        }
        Map<Long, Integer> upsert = new LinkedHashMap<>();
        desired.podTiers().forEach((cgroup, tier) -> {
            if (!tier.equals(applied.podTiers().get(cgroup))) upsert.put(cgroup, tier);
        });
        List<Long> remove = new ArrayList<>();
        for (Long cgroup : applied.podTiers().keySet()) {
            if (!desired.podTiers().containsKey(cgroup)) remove.add(cgroup);
        }
        return new ConfigDiff(tiers, upsert, remove);
    }

    public boolean isEmpty() {
        return tiers.isEmpty() && upsert.isEmpty() && remove.isEmpty();
    }

    public int writes() {
        return tiers.size() + upsert.size() + remove.size();
    }
}
