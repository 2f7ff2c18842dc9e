package codes.temper.rules;

import java.util.Map;

/**
 * The node as the rules see it.
 *
 * @param safeModeRequest   value of {@code temper.codes/safe-mode-requested}, or null if absent
 * @param kernelVersion     status.nodeInfo.kernelVersion as reported, or null
 * @param kernelRelease     major * 1000 + minor (6.12 -> 6012), or -1 when not parseable
 * @param allocatableMillis status.allocatable.cpu in millicores
 * @param cpuMax            whether the node's sched_ext enforces cgroup cpu.max: probed by the
 *                          agent on its own kernel, else inferred from kernelRelease (null = infer)
 * @param cgroups           the cgroup hierarchy the agent found on its node; null when not known
 *                          (offline: a Node object does not say)
 */
public record NodeFact(String name, Map<String, String> labels, String safeModeRequest,
                       String kernelVersion, int kernelRelease, long allocatableMillis, CpuMaxSupport cpuMax,
                       CgroupHierarchy cgroups) {

    public static final String SAFE_MODE_ANNOTATION = "temper.codes/safe-mode-requested";

    public NodeFact {
        labels = Map.copyOf(labels);
        if (cpuMax == null) cpuMax = CpuMaxSupport.inferred(kernelRelease);
    }

    public NodeFact(String name, Map<String, String> labels, String safeModeRequest, String kernelVersion, int kernelRelease,
            long allocatableMillis, CpuMaxSupport cpuMax) {
        this(name, labels, safeModeRequest, kernelVersion, kernelRelease, allocatableMillis, cpuMax, null);
    }

    /** A node whose cpu.max support is inferred from its kernel version (offline). */
    public NodeFact(String name, Map<String, String> labels, String safeModeRequest, String kernelVersion, int kernelRelease,
            long allocatableMillis) {
        this(name, labels, safeModeRequest, kernelVersion, kernelRelease, allocatableMillis, null);
    }

    /** This node with what the agent's probe of its own kernel found. */
    public NodeFact withCpuMax(CpuMaxSupport probed) {
        return new NodeFact(name, labels, safeModeRequest, kernelVersion, kernelRelease, allocatableMillis, probed, cgroups);
    }

    /** This node with the cgroup hierarchy the agent found on it. */
    public NodeFact withCgroups(CgroupHierarchy found) {
        return new NodeFact(name, labels, safeModeRequest, kernelVersion, kernelRelease, allocatableMillis, cpuMax, found);
    }

    /** "6.12.57+deb13-cloud-amd64" -> 6012; -1 when the string does not start with major.minor. */
    public static int kernelRelease(String version) {
        if (version == null) return -1;
        var m = java.util.regex.Pattern.compile("^(\\d{1,4})\\.(\\d{1,3})(?:\\D.*)?$").matcher(version.strip());
        return m.matches() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) : -1;
    }
}
