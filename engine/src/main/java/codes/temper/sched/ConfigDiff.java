package codes.temper.sched;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The map writes that take the scheduler from {@code applied} to {@code desired}: only changed
 * tier slots, pod entries (a new tier or a new weight both rewrite the entry) and the node-wide
 * settings when they changed. Pod churn therefore costs a few map updates and never a restart.
 *
 * @param tiers  tier slots to (re)write, by index
 * @param upsert pod cgroups to add, move or reweigh
 * @param remove pod cgroups to delete
 * @param node   the config entry, when it changed
 */
public record ConfigDiff(Map<Integer, TierConfig> tiers, Map<Long, PodConfig> upsert, List<Long> remove, Optional<NodeConfig> node) {

    public static ConfigDiff between(SchedulerConfig applied, SchedulerConfig desired) {
        Map<Integer, TierConfig> tiers = new LinkedHashMap<>();
        for (int i = 0; i < SchedulerConfig.MAX_TIERS; i++) {
            if (!applied.tier(i).equals(desired.tier(i))) tiers.put(i, desired.tier(i));
        }
        Map<Long, PodConfig> upsert = new LinkedHashMap<>();
        desired.pods().forEach((cgroup, pod) -> {
            if (!pod.equals(applied.pods().get(cgroup))) upsert.put(cgroup, pod);
        });
        List<Long> remove = new ArrayList<>();
        for (Long cgroup : applied.pods().keySet()) {
            if (!desired.pods().containsKey(cgroup)) remove.add(cgroup);
        }
        Optional<NodeConfig> node = applied.node().equals(desired.node()) ? Optional.empty() : Optional.of(desired.node());
        return new ConfigDiff(tiers, upsert, remove, node);
    }

    public boolean isEmpty() {
        return writes() == 0;
    }

    public int writes() {
        return tiers.size() + upsert.size() + remove.size() + (node.isPresent() ? 1 : 0);
    }
}
