package codes.temper.policy;

/**
 * A NodePolicy rule that keeps Temper off the nodes its selector matches.
 *
 * @param requiresCpuMax {@code requires: cpuMaxEnforcement}: the nodes it selects need cgroup
 *                       cpu.max enforced, so the exclusion holds only where the node's sched_ext
 *                       cannot enforce it (before 6.17); elsewhere the scheduler does and the node
 *                       attaches. Without it the exclusion always holds.
 */
public record Exclusion(String policy, String name, LabelSelector nodeSelector, String reason, boolean requiresCpuMax) {
    /** The one value {@code requires} takes. */
    public static final String CPU_MAX_ENFORCEMENT = "cpuMaxEnforcement";

    /** An exclusion that always holds. */
    public Exclusion(String policy, String name, LabelSelector nodeSelector, String reason) {
        this(policy, name, nodeSelector, reason, false);
    }
}
