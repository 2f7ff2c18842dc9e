package codes.temper.reconcile;

import codes.temper.kube.CpuWeight;
import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.sched.NodeConfig;
import codes.temper.sched.PodConfig;
import codes.temper.sched.SchedulerConfig;
import codes.temper.sched.TierConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one translation from the rules' decision to what the scheduler holds: tier index = rank,
 * pods by cgroup id with kubelet's cpu.weight for their request, the pods root and the policy's
 * default tier. Pods whose cgroup does not exist yet are left out and named, so the caller
 * retries them; until then the scheduler runs them at the default tier (they are below the pods
 * root), or as system work when the pods root is unknown.
 *
 * @param podsRootFound false when the pods root cgroup was not found (then pods_cgroup_id is 0)
 */
public record DesiredConfig(SchedulerConfig config, List<String> unresolvedPods, boolean podsRootFound) {

    public DesiredConfig {
        unresolvedPods = List.copyOf(unresolvedPods);
    }

    /**
     * @param podsRoot    the pods root cgroup path (kubepods.slice or kubepods)
     * @param defaultTier rank of the policy's default tier, if the policy places an ordinary pod
     */
    public static DesiredConfig of(Decision decision, CgroupIds cgroups, String podsRoot, OptionalInt defaultTier) {
        List<TierConfig> tiers = new ArrayList<>();
        for (Decision.TierOutcome t : decision.tiers()) {
            // "node" means no ceiling was asked for: all allocatable CPU, i.e. none to enforce.
            long ceiling = t.ceiling() == null || "node".equals(t.ceiling().source()) ? 0 : Math.max(1, Math.round(t.ceiling().cpus() * 1000));
            tiers.add(new TierConfig(t.rank(), true, t.preempt(), t.sliceMs() * 1_000_000L, ceiling));
        }
        Map<Long, PodConfig> pods = new HashMap<>();
        List<String> unresolved = new ArrayList<>();
        for (Assignment a : decision.assignments()) {
            Optional<Long> id = cgroups.id(a.pod().cgroup());
            if (id.isPresent()) pods.put(id.get(), new PodConfig(a.rank(), CpuWeight.ofRequestMillis(a.pod().cpuRequestMillis())));
            else unresolved.add(a.pod().key());
        }
        Optional<Long> root = cgroups.id(podsRoot);
        int dt = defaultTier.isPresent() && defaultTier.getAsInt() < tiers.size() ? defaultTier.getAsInt() : -1;
        return new DesiredConfig(new SchedulerConfig(tiers, pods, new NodeConfig(root.orElse(0L), dt)), unresolved, root.isPresent());
    }
}
