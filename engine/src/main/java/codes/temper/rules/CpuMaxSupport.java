package codes.temper.rules;

/**
 * Whether the node's sched_ext can enforce cgroup cpu.max (the kernel passes it to the scheduler
 * through {@code sched_ext_ops.cgroup_set_bandwidth}, 6.17+), and how that is known.
 *
 * @param enforced true when the scheduler enforces every cgroup's cpu.max itself
 * @param basis    how it is known
 * @param detail   for a probe, what it found (the member, or what was missing, or why it could
 *                 not tell); for an inference, null
 */
public record CpuMaxSupport(boolean enforced, Basis basis, String detail) {
    /** The first release whose sched_ext_ops has cgroup_set_bandwidth. */
    public static final int FIRST_RELEASE = 6017;
    public static final String CALLBACK = "cgroup_set_bandwidth";

    public enum Basis {
        /** The agent read its own kernel's BTF. */
        PROBED,
        /** The probe could not tell (no BTF, unreadable, malformed): taken as not enforced, so never less enforcement. */
        PROBE_FAILED,
        /** Offline ({@code temper plan}, policy tests): from status.nodeInfo.kernelVersion. */
        INFERRED
    }

    /** What the kernel version says: 6.17 or later has the callback. */
    public static CpuMaxSupport inferred(int kernelRelease) {
        return new CpuMaxSupport(kernelRelease >= FIRST_RELEASE, Basis.INFERRED, null);
    }

    public static CpuMaxSupport probed(boolean enforced, String detail) {
        return new CpuMaxSupport(enforced, Basis.PROBED, detail);
    }

    public static CpuMaxSupport probeFailed(String why) {
        return new CpuMaxSupport(false, Basis.PROBE_FAILED, why);
    }

    /** The reason a node that needs cpu.max enforced is excluded. */
    public String cannotEnforce(String kernelVersion) {
        return switch (basis) {
            case INFERRED -> "cpu.max cannot be enforced by sched_ext before 6.17 (kernel " + kernelVersion + ", inferred from kernelVersion)";
            case PROBED -> "cpu.max cannot be enforced by sched_ext before 6.17 (kernel " + kernelVersion + ": " + detail + ")";
            case PROBE_FAILED -> "cpu.max enforcement by sched_ext could not be probed (kernel " + kernelVersion + ": " + detail
                    + "), so it is taken as not enforced";
        };
    }

    /** The reason such a node attaches anyway. */
    public String enforcedBy(String kernelVersion) {
        return "cpu.max is enforced by the scheduler (kernel " + kernelVersion + ", " + CALLBACK
                + (basis == Basis.INFERRED ? ", inferred from kernelVersion" : "") + ")";
    }
}
