package codes.temper.reconcile;

import codes.temper.policy.PolicySet;
import codes.temper.policy.QosClass;
import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.rules.RuleEngine;
import java.util.List;
import java.util.OptionalInt;

/**
 * The policy's default tier for the scheduler: where a pod runs while its cgroup is not mapped
 * yet (just started, or not seen by the agent yet). It is the tier the rules give an ordinary pod
 * -- Burstable, priority 0, no PriorityClass, no tier label -- found by asking the rules about
 * exactly such a pod, so it follows the policy's match entries and its defaultTier as they are
 * and can never be a tier the rules would not give that pod.
 */
public final class DefaultTier {
    static final String PROBE_UID = "temper-default-tier-probe";

    private DefaultTier() {
    }

    /** The ordinary pod the rules are asked about, on {@code nodeName}. */
    static PodFact probe(String nodeName) {
        return new PodFact(PROBE_UID, "temper-probe", "default-tier-probe", nodeName, "Running", QosClass.Burstable, 0, false, null,
                null, -1, 0, null, false);
    }

    /** The rank of the tier the rules give the ordinary pod; empty if they give it none. */
    public static OptionalInt of(RuleEngine rules, PolicySet policy, NodeFact node) {
        Decision d = rules.evaluate(policy, node, List.of(probe(node.name())));
        return d.assignments().stream()
                .filter(a -> PROBE_UID.equals(a.pod().uid()))
                .mapToInt(Assignment::rank)
                .findFirst();
    }
}
