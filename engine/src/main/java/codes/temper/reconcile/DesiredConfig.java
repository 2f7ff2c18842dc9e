package codes.temper.reconcile;

import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.sched.SchedulerConfig;
import codes.temper.sched.TierConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one translation from the rules' decision to what the scheduler holds: tier index = rank,
 * pods by cgroup id. Pods whose cgroup does not exist yet are left out and named, so the caller
 * retries them; they run in the system tier until then, which is the scheduler's default for
 * anything it does not know.
 */
public record DesiredConfig(SchedulerConfig config, List<String> unresolvedPods) {

    public DesiredConfig {
        unresolvedPods = List.copyOf(unresolvedPods);
    }

    public static DesiredConfig of(Decision decision, CgroupIds cgroups) {
        List<TierConfig> tiers = new ArrayList<>();
        for (Decision.TierOutcome t : decision.tiers()) {
            // "node" means no ceiling was asked for: all allocatable CPU, i.e. none to enforce.
            long ceiling = t.ceiling() == null || "node".equals(t.ceiling().source()) ? 0 : Math.max(1, Math.round(t.ceiling().cpus() * 1000));
            tiers.add(new TierConfig(t.rank(), true, t.preempt(), t.sliceMs() * 1_000_000L, ceiling));
        }
        Map<Long, Integer> pods = new HashMap<>();
        List<String> unresolved = new ArrayList<>();
        for (Assignment a : decision.assignments()) {
            Optional<Long> id = cgroups.id(a.pod().cgroup());
            if (id.isPresent()) pods.put(id.get(), a.rank());
            else unresolved.add(a.pod().key());
        }
        return new DesiredConfig(new SchedulerConfig(tiers, pods), unresolved);
    }
}
