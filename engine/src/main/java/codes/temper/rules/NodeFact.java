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
 */
public record NodeFact(String name, Map<String, String> labels, String safeModeRequest,
                       String kernelVersion, int kernelRelease, long allocatableMillis, CpuMaxSupport cpuMax) {

    public static final String SAFE_MODE_ANNOTATION = "temper.codes/safe-mode-requested";

    public NodeFact {
        labels = Map.copyOf(labels);
        if (cpuMax == null) cpuMax = CpuMaxSupport.inferred(kernelRelease);
    }

    /** A node whose cpu.max support is inferred from its kernel version (offline). */
    public NodeFact(String name, Map<String, String> labels, String safeModeRequest, String kernelVersion, int kernelRelease,
            long allocatableMillis) {
        this(name, labels, safeModeRequest, kernelVersion, kernelRelease, allocatableMillis, null);
    }

    /** This node with what the agent's probe of its own kernel found. */
    public NodeFact withCpuMax(CpuMaxSupport probed) {
        return new NodeFact(name, labels, safeModeRequest, kernelVersion, kernelRelease, allocatableMillis, probed);
    }

    /** "6.12.57+deb13-cloud-amd64" -> 6012; -1 when the string does not start with major.minor. */
    public static int kernelRelease(String version) {
        if (version == null) return -1;
        var m = java.util.regex.Pattern.compile("^(\\d{1,4})\\.(\\d{1,3})(?:\\D.*)?$").matcher(version.strip());
        return m.matches() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) : -1;
    }
}
