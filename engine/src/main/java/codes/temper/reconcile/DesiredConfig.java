package codes.temper.reconcile;

import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.rules.TierFloor;
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
 * <p>cpu.max: where the kernel passes every cgroup's cpu.max to the scheduler (6.17+,
 * {@code cgroup_set_bandwidth}) the agent writes no pod ceilings; elsewhere it writes each pod's
 * ceiling from its CPU limits (the sum of its containers' limits, as kubelet's pod cpu.max), so
 * the scheduler keeps what CFS would have. A pod with a container without a limit has no ceiling.
 *
 * @param podsRootFound false when the pods root cgroup was not found (then pods_cgroup_id is 0)
 * @param mapped        the assignment of each mapped pod, by its cgroup id (to name the scheduler's figures)
 */
public record DesiredConfig(SchedulerConfig config, List<String> unresolvedPods, boolean podsRootFound, Map<Long, Assignment> mapped) {

    public DesiredConfig {
        unresolvedPods = List.copyOf(unresolvedPods);
        mapped = Map.copyOf(mapped);
    }

    /**
     * @param podsRoot    the pods root cgroup path (kubepods.slice or kubepods)
     * @param defaultTier rank of the policy's default tier, if the policy places an ordinary pod
     */
    public static DesiredConfig of(Decision decision, CgroupIds cgroups, String podsRoot, OptionalInt defaultTier) {
        return of(decision, cgroups, podsRoot, defaultTier, true);
    }

    /**
     * @param podCeilings true when the scheduler must hold each pod's CPU limit itself: the kernel
     *                    does not pass cpu.max to it, or the agent could not tell (never less
     *                    enforcement); false when it does (the probe found cgroup_set_bandwidth)
     */
    public static DesiredConfig of(Decision decision, CgroupIds cgroups, String podsRoot, OptionalInt defaultTier, boolean podCeilings) {
        List<TierConfig> tiers = new ArrayList<>();
        for (Decision.TierOutcome t : decision.tiers()) {
            // "node" means no ceiling was asked for: all allocatable CPU, i.e. none to enforce.
            long ceiling = t.ceiling() == null || "node".equals(t.ceiling().source()) ? 0 : Math.max(1, Math.round(t.ceiling().cpus() * 1000));
            tiers.add(new TierConfig(t.rank(), true, t.preempt(), t.sliceMs() * 1_000_000L, ceiling, floorMillicpus(t.floor())));
        }
        Map<Long, PodConfig> pods = new HashMap<>();
        Map<Long, Assignment> mapped = new HashMap<>();
        List<String> unresolved = new ArrayList<>();
        for (Assignment a : decision.assignments()) {
            Optional<Long> id = cgroups.id(a.pod().cgroup());
            if (id.isPresent()) {
                pods.put(id.get(), new PodConfig(a.rank(), CpuWeight.ofRequestMillis(a.pod().cpuRequestMillis()),
                        podCeilings ? ceilingMillicpus(a.pod().cpuLimitMillis()) : 0));
                mapped.put(id.get(), a);
            }
            else unresolved.add(a.pod().key());
        }
        Optional<Long> root = cgroups.id(podsRoot);
        int dt = defaultTier.isPresent() && defaultTier.getAsInt() < tiers.size() ? defaultTier.getAsInt() : -1;
        // System work always keeps a floor (the policy refuses 0); at least a millicore, so 0 never
        // reaches the map, where it would mean the scheduler's own default instead.
        long systemFloor = decision.systemFloor() == null ? 0 : Math.max(1, Math.round(decision.systemFloor().cpus() * 1000));
        return new DesiredConfig(new SchedulerConfig(tiers, pods, new NodeConfig(root.orElse(0L), dt, systemFloor)), unresolved,
                root.isPresent(), mapped);
    }

    /** A tier's floor in millicores (0 = none); the scheduler's default when the rules gave none. */
    static long floorMillicpus(TierFloor floor) {
        if (floor == null) return TierConfig.DEFAULT_FLOOR;
        return floor.cpus() <= 0 ? 0 : Math.max(1, Math.round(floor.cpus() * 1000));
    }

    /** A pod's ceiling from its CPU limit in millicores: none (0) when a container has no limit (-1). */
    static long ceilingMillicpus(long cpuLimitMillis) {
        return Math.max(0, cpuLimitMillis);
    }
}
