package codes.temper.reconcile;

import java.time.Instant;
import java.util.List;

/**
 * What the agent reports, one immutable snapshot: {@code GET /status}, the node annotations and
 * the metrics all read it, so they cannot disagree. Fields that may be unknown are null (JSON
 * null), not absent, so the shape stays fixed for scripts.
 *
 * @param mode           attach | safe-mode | excluded | unsupported (DESIGN.md's wire names)
 * @param agentStatus    the {@code temper.codes/agent-status} annotation value: attached |
 *                       safe-mode | excluded:&lt;reason&gt; | unsupported:&lt;reason&gt; | degraded:&lt;reason&gt;
 * @param reasons        why the mode, for people
 * @param policyRevision {@code <ref>@sha1:<40 hex>}, or null before a policy was loaded
 * @param ready          a policy is loaded and its decision has been applied
 */
public record AgentStatus(String node, String mode, String agentStatus, List<String> reasons, String policyRevision,
        boolean ready, List<Tier> tiers, Scheduler scheduler, Reconfiguration lastReconfiguration, Instant updated) {

    public AgentStatus {
        reasons = List.copyOf(reasons);
        tiers = List.copyOf(tiers);
    }

    /** A tier as applied: its ceiling in CPUs (null when none) and how many pods it holds. */
    public record Tier(String name, int rank, Double ceilingCpus, String ceilingSource, int pods) {
    }

    /**
     * @param driver      bpf | dry-run
     * @param dryRunWhy   why the BPF driver was not chosen, null for bpf
     * @param phase       DETACHED | ATTACHED | BACKOFF | GAVE_UP
     * @param kernelState /sys/kernel/sched_ext/state, "absent" without sched_ext
     * @param lastFailure the last ejection or failed attach, with the kernel's exit reason, or null
     */
    public record Scheduler(String driver, String dryRunWhy, String phase, String kernelState, String ops, long enableSeq,
            String lastFailure, Instant retryAt) {
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
}
