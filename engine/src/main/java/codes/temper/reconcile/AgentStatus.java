package codes.temper.reconcile;

import codes.temper.rules.Mode;
import java.time.Instant;
import java.util.List;

/**
 * What the agent reports, one immutable snapshot: {@code GET /status}, the node annotations and
 * the metrics all read it, so they cannot disagree. Fields that may be unknown are null (JSON
 * null), not absent, so the shape stays fixed for scripts.
 *
 * @param mode           what the agent does with the node, by its wire name: the rules' decision
 *                       (attach | safe-mode | excluded | unsupported), or the agent's own state
 *                       (dry-run: the rules said attach but nothing is loaded; pending: starting or
 *                       waiting for the first listing; no-policy; degraded: it cannot decide)
 * @param agentStatus    the {@code temper.codes/agent-status} annotation value: attached |
 *                       safe-mode | excluded:&lt;reason&gt; | unsupported:&lt;reason&gt; | degraded:&lt;reason&gt;
 * @param reasons        why the mode, for people
 * @param policyRevision {@code <ref>@sha1:<40 hex>}, or null before a policy was loaded
 * @param ready          a policy is loaded and its decision has been applied
 * @param stats          the scheduler's counters as last sampled (sampled on a timer, apart from
 *                       the reconcile passes that make the rest of the snapshot)
 * @param policySource   the policy source's state when the snapshot was read, or null when not known
 * @param loop           whether the reconcile loop makes progress, as of the read; null when not known
 * @param pods           every pod the rules placed, with its tier and the rule that placed it (empty
 *                       when nothing was decided); bounded by the kubelet's max-pods
 * @param safeMode       which safe-mode triggers stand, since when and who asked; null when not known
 * @param history        the last reconfigurations that changed what the scheduler holds, and the
 *                       scheduler's last events (ejections, failed attaches); null when not known
 */
public record AgentStatus(String node, Mode mode, String agentStatus, List<String> reasons, String policyRevision,
        boolean ready, List<Tier> tiers, Scheduler scheduler, Reconfiguration lastReconfiguration, Instant updated,
        SchedulerStats stats, PolicySourceState policySource, Loop loop, List<Pod> pods, SafeMode safeMode, History history) {

    /**
     * The reconcile loop's liveness ({@code GET /healthz}).
     *
     * @param healthy false when a pass has run past its bound or the loop's thread died
     * @param why     null when healthy
     */
    public record Loop(boolean healthy, String why) {
        public static final Loop OK = new Loop(true, null);
    }

    public AgentStatus(String node, Mode mode, String agentStatus, List<String> reasons, String policyRevision,
            boolean ready, List<Tier> tiers, Scheduler scheduler, Reconfiguration lastReconfiguration, Instant updated,
            SchedulerStats stats, PolicySourceState policySource) {
        this(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler, lastReconfiguration, updated, stats, policySource,
                null, List.of(), null, null);
    }

    public AgentStatus {
        reasons = List.copyOf(reasons);
        tiers = List.copyOf(tiers);
        pods = pods == null ? List.of() : List.copyOf(pods);
        if (stats == null) stats = SchedulerStats.NOT_SAMPLED;
    }

    /** A snapshot as the reconciler makes it: the policy source's state is added by whoever reads it. */
    public AgentStatus(String node, Mode mode, String agentStatus, List<String> reasons, String policyRevision,
            boolean ready, List<Tier> tiers, Scheduler scheduler, Reconfiguration lastReconfiguration, Instant updated,
            SchedulerStats stats) {
        this(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler, lastReconfiguration, updated, stats, null);
    }

    /** A snapshot whose counters have not been sampled yet. */
    public AgentStatus(String node, Mode mode, String agentStatus, List<String> reasons, String policyRevision,
            boolean ready, List<Tier> tiers, Scheduler scheduler, Reconfiguration lastReconfiguration, Instant updated) {
        this(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler, lastReconfiguration, updated, null);
    }

    /** This snapshot with other counters. */
    public AgentStatus withStats(SchedulerStats s) {
        return s == stats ? this : new AgentStatus(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler,
                lastReconfiguration, updated, s, policySource, loop, pods, safeMode, history);
    }

    /** This snapshot with the policy source's state. */
    public AgentStatus withPolicySource(PolicySourceState p) {
        return new AgentStatus(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler, lastReconfiguration, updated,
                stats, p, loop, pods, safeMode, history);
    }

    /** This snapshot with the loop's liveness as of now. */
    public AgentStatus withLoop(Loop l) {
        return new AgentStatus(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler, lastReconfiguration, updated,
                stats, policySource, l, pods, safeMode, history);
    }

    /** This snapshot with the pods the rules placed. */
    public AgentStatus withPods(List<Pod> p) {
        return new AgentStatus(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler, lastReconfiguration, updated,
                stats, policySource, loop, p, safeMode, history);
    }

    /** This snapshot with the safe-mode triggers and the history as of now. */
    public AgentStatus withSafeModeAndHistory(SafeMode sm, History h) {
        return new AgentStatus(node, mode, agentStatus, reasons, policyRevision, ready, tiers, scheduler, lastReconfiguration, updated,
                stats, policySource, loop, pods, sm, h);
    }

    /**
     * A pod as the rules placed it.
     *
     * @param rule    the rule that decided ({@code priority-class}, {@code label-override}, ...)
     * @param because the part of the policy that made it so, e.g. {@code critical.match[0]: priority >= 1000000}
     */
    public record Pod(String namespace, String name, String tier, String rule, String because, String qosClass, long priority) {
    }

    /**
     * @param requested whether any trigger stands
     * @param triggers  one per standing trigger: the annotation, the file, the API (with who asked)
     */
    public record SafeMode(boolean requested, List<Trigger> triggers) {
        public SafeMode {
            triggers = List.copyOf(triggers);
        }
    }

    /**
     * @param source annotation | file | api
     * @param detail what the trigger says: the annotation's value, the file's path, or
     *               {@code <who>: <reason>} for the API
     * @param since  when this agent saw it stand
     */
    public record Trigger(String source, String detail, Instant since) {
    }

    /**
     * @param reconfigurations the last passes that wrote map entries or attached, oldest first
     * @param scheduler        the scheduler's last events, oldest first
     */
    public record History(List<Reconfiguration> reconfigurations, List<SchedulerEvent> scheduler) {
        public History {
            reconfigurations = List.copyOf(reconfigurations);
            scheduler = List.copyOf(scheduler);
        }
    }

    /** @param kind attached | detached | ejected | attach-failed | gave-up */
    public record SchedulerEvent(Instant at, String kind, String message) {
    }

    /**
     * The policy source as of the snapshot. The revision in force is the last known good one: a
     * rejected revision or an unreachable remote leaves it in force and lets it age.
     *
     * @param revision            the revision in force, or null before the first good one
     * @param fetchedAt           when it was fetched (kept across restarts by the last-known-good file)
     * @param ageSeconds          how long ago that was; null without a revision
     * @param fromLastKnownGood   true when it was loaded from the last-known-good file at start
     * @param lastSuccessfulPoll  when the source last answered, or null
     * @param consecutiveFailures polls in a row that could not reach the source
     * @param lastFailure         why the last failed poll failed, or null
     * @param lastRejection       the last refused revision and why, or null
     * @param nextPollAt          when the next (jittered) poll is due, or null
     */
    public record PolicySourceState(String revision, Instant fetchedAt, Double ageSeconds, boolean fromLastKnownGood,
            Instant lastSuccessfulPoll, int consecutiveFailures, String lastFailure, String lastRejection, Instant nextPollAt) {
    }

    /**
     * A tier as applied: its ceiling in CPUs (null when none), how many pods it holds, and its floor
     * in CPUs (what it keeps while higher tiers saturate the node; null when unknown).
     */
    public record Tier(String name, int rank, Double ceilingCpus, String ceilingSource, int pods, Double floorCpus) {
        public Tier(String name, int rank, Double ceilingCpus, String ceilingSource, int pods) {
            this(name, rank, ceilingCpus, ceilingSource, pods, null);
        }
    }

    /**
     * @param driver      bpf | dry-run
     * @param dryRunWhy   why the BPF driver was not chosen, null for bpf
     * @param phase       DETACHED | ATTACHED | BACKOFF | GAVE_UP, or DRY_RUN where a dry run holds a
     *                    configuration (nothing is loaded: never ATTACHED)
     * @param kernelState /sys/kernel/sched_ext/state, "absent" without sched_ext
     * @param lastFailure the last ejection or failed attach, with the kernel's exit reason, or null
     * @param cpuMax      what holds cgroup cpu.max on the node now; null when not known
     */
    public record Scheduler(String driver, String dryRunWhy, String phase, String kernelState, String ops, long enableSeq,
            String lastFailure, Instant retryAt, CpuMax cpuMax) {
        public Scheduler(String driver, String dryRunWhy, String phase, String kernelState, String ops, long enableSeq,
                String lastFailure, Instant retryAt) {
            this(driver, dryRunWhy, phase, kernelState, ops, enableSeq, lastFailure, retryAt, null);
        }
    }

    /**
     * Which mechanism holds cgroup cpu.max on the node (docs/CPU-LIMITS.md).
     *
     * @param mechanism  for scripts and the metric's label: scheduler-cgroup | scheduler-pod-ceilings |
     *                   kernel-cfs | dry-run
     * @param enforcedBy for people: "scheduler (cgroup cpu.max via cgroup_set_bandwidth)",
     *                   "scheduler (pod ceilings from CPU limits)", "kernel CFS (scheduler not
     *                   attached)", or a dry run's "kernel CFS (dry run: ...)"
     * @param kernel     what is known of the kernel: whether its sched_ext passes cpu.max to the
     *                   scheduler, and how that is known (probed, probe failed, inferred)
     */
    public record CpuMax(String mechanism, String enforcedBy, String kernel) {
        /** The mechanisms' wire names. */
        public static final String SCHEDULER_CGROUP = "scheduler-cgroup", SCHEDULER_POD_CEILINGS = "scheduler-pod-ceilings",
                KERNEL_CFS = "kernel-cfs", DRY_RUN = "dry-run";
        public static final List<String> MECHANISMS = List.of(SCHEDULER_CGROUP, SCHEDULER_POD_CEILINGS, KERNEL_CFS, DRY_RUN);
    }

    /**
     * The last time the decision was (re)applied.
     *
     * @param trigger  what started it (pods, node, policy, resync, safe-mode, ...)
     * @param events   events folded into this one apply by the debounce
     * @param writes   map entries written (0 when nothing changed)
     * @param attached whether this apply attached the scheduler (a CFS window was paid)
     */
    public record Reconfiguration(Instant at, String trigger, int events, double evaluateMs, double applyMs, int writes, boolean attached) {
    }

    /**
     * What the scheduler counted, read from its {@code tier_stats} map. Counters run from the
     * scheduler's load (they start again at zero after safe mode or an ejection); the figures
     * marked "over the interval" cover the time between this sample and the previous one of the
     * same load, and are null on the first sample after a load.
     *
     * @param available       false in a dry run (nothing is loaded, so nothing is counted), while
     *                        no scheduler is loaded, or when reading failed; {@code why} says which
     * @param why             null when available
     * @param sampledAt       when the counters were read; null when they were not
     * @param intervalSeconds the interval, or null
     * @param tiers           the policy's tiers, by rank
     * @param system          tasks outside the pods (kubelet, container runtime, the agent); null
     *                        when not available
     */
    public record SchedulerStats(boolean available, String why, Instant sampledAt, Double intervalSeconds, List<TierStat> tiers,
            TierStat system, PodThrottling podThrottling) {
        public static final SchedulerStats NOT_SAMPLED = unavailable("not sampled yet");

        public SchedulerStats {
            tiers = List.copyOf(tiers);
        }

        public SchedulerStats(boolean available, String why, Instant sampledAt, Double intervalSeconds, List<TierStat> tiers,
                TierStat system) {
            this(available, why, sampledAt, intervalSeconds, tiers, system, null);
        }

        public static SchedulerStats unavailable(String why) {
            return new SchedulerStats(false, why, null, null, List.of(), null, null);
        }

        /** The policy's tiers, then the system tier; empty when not available. */
        public List<TierStat> all() {
            if (system == null) return tiers;
            List<TierStat> all = new java.util.ArrayList<>(tiers);
            all.add(system);
            return List.copyOf(all);
        }
    }

    /**
     * One tier's counters.
     *
     * @param name           the tier's name; {@link #SYSTEM} for the system tier
     * @param index          its slot in the scheduler (the rank; 16 for the system tier)
     * @param runtimeSeconds CPU time its tasks ran
     * @param cpus           average CPUs it used over the interval, or null
     * @param enqueued       tasks queued on its queues
     * @param dispatched     tasks moved from its queues to a CPU
     * @param throttled      times it was found at its ceiling with work queued
     * @param direct         wake-ups placed straight on an idle CPU
     * @param preempts       CPUs running lower-ranked work that its wake-ups preempted
     * @param wakeups        wake-to-run latencies recorded
     * @param wakeSeconds    their sum
     * @param wakeP50Micros  median wake-to-run latency over the interval, as the upper bound of
     *                       the power-of-two histogram bucket holding it (so the true value lies in
     *                       [estimate/2, estimate), or below 1 us for an estimate of 1); beyond the last bounded bucket the estimate is
     *                       2^22 us and the true value at least that. Null without wake-ups in the
     *                       interval.
     * @param wakeP99Micros  the 99th percentile, estimated the same way
     * @param wakeBuckets    the wake-to-run histogram: [i] counts latencies below 2^i us, the last
     *                       every longer one
     * @param floored        runs served ahead of a higher tier because the tier was under its floor
     * @param rescued        runs served out of turn after a task waited the liveness limit (2 s)
     */
    public record TierStat(String name, int index, double runtimeSeconds, Double cpus, long enqueued, long dispatched, long throttled,
            long direct, long preempts, long wakeups, double wakeSeconds, Long wakeP50Micros, Long wakeP99Micros,
            List<Long> wakeBuckets, long floored, long rescued) {
        /** The system tier's name: parenthesised, so it cannot be a policy tier's. */
        public static final String SYSTEM = "(system)";

        public TierStat {
            wakeBuckets = List.copyOf(wakeBuckets);
        }

        public TierStat(String name, int index, double runtimeSeconds, Double cpus, long enqueued, long dispatched, long throttled,
                long direct, long preempts, long wakeups, double wakeSeconds, Long wakeP50Micros, Long wakeP99Micros, List<Long> wakeBuckets) {
            this(name, index, runtimeSeconds, cpus, enqueued, dispatched, throttled, direct, preempts, wakeups, wakeSeconds, wakeP50Micros,
                    wakeP99Micros, wakeBuckets, 0, 0);
        }
    }

    /**
     * Throttling of the pods' own CPU limits (the scheduler's {@code cgroup_bw} entries of the
     * mapped pods' cgroups), counted from the scheduler's load. Only the top pods of each tier are
     * named, so the status stays bounded on big nodes; the metrics carry the per-tier sums.
     *
     * @param total     times any pod was held back for its next period
     * @param tiers     the policy's tiers, by rank, each with its sum and its top pods
     * @param topPerTier how many pods each tier names at most
     */
    public record PodThrottling(long total, List<TierThrottling> tiers, int topPerTier) {
        public PodThrottling {
            tiers = List.copyOf(tiers);
        }
    }

    /**
     * @param limited   pods of the tier with a limit the scheduler enforces
     * @param throttled their throttling, summed
     * @param top       the most throttled (throttled > 0 only), most first
     */
    public record TierThrottling(String tier, int limited, long throttled, List<PodThrottled> top) {
        public TierThrottling {
            top = List.copyOf(top);
        }
    }

    /**
     * @param pod       namespace/name
     * @param limitCpus the limit (quota / period) in CPUs
     * @param source    "cpu.max" (the kernel's, 6.17+) or "pod ceiling" (from its CPU limits)
     */
    public record PodThrottled(String pod, long throttled, double limitCpus, String source) {
    }
}
