package codes.temper.rules;

import codes.temper.policy.QosClass;

/**
 * A pod as the rules see it: only what a decision may depend on, no Kubernetes client types.
 *
 * @param priority          spec.priority (0 when the API server did not set one)
 * @param hasPriorityClass  spec.priorityClassName is set
 * @param tierLabel         value of the {@code temper.codes/tier} label, or null
 * @param cpuLimitMillis    effective pod CPU limit in millicores, or -1 when a container has none
 * @param cpuRequestMillis  effective pod CPU request in millicores (0 when none), as the kubelet
 *                          sizes the pod cgroup's cpu.weight from it
 * @param cgroup            pod-level cgroup path under the cgroup2 mount for the node's driver
 * @param terminating       metadata.deletionTimestamp is set
 */
public record PodFact(String uid, String namespace, String name, String nodeName, String phase,
                      QosClass qosClass, long priority, boolean hasPriorityClass, String priorityClassName,
                      String tierLabel, long cpuLimitMillis, long cpuRequestMillis, String cgroup, boolean terminating) {

    public static final String TIER_LABEL = "temper.codes/tier";

    public String key() {
        return namespace + "/" + name;
    }
}
