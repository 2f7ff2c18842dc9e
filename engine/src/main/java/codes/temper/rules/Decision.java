package codes.temper.rules;

import java.util.List;

/**
 * Everything the rules decided for one node: the output of one evaluation, immutable.
 *
 * @param tiers       every tier of the policy in rank order, with its ceiling, floor and member count
 * @param assignments one per eligible pod, sorted by namespace and name
 * @param systemFloor what system work (outside the pods' cgroups) keeps under saturation
 */
public record Decision(String node, NodeMode mode, List<TierOutcome> tiers, List<Assignment> assignments, List<String> warnings,
        TierFloor systemFloor) {

    public Decision {
        tiers = List.copyOf(tiers);
        assignments = List.copyOf(assignments);
        warnings = List.copyOf(warnings);
    }

    public record TierOutcome(String name, int rank, TierCeiling ceiling, int pods, int sliceMs, boolean preempt, TierFloor floor) {
    }
}
