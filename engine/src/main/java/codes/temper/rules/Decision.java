package codes.temper.rules;

import java.util.List;

/**
 * Everything the rules decided for one node: the output of one evaluation, immutable.
 *
 * @param tiers       every tier of the policy in rank order, with its ceiling and member count
 * @param assignments one per eligible pod, sorted by namespace and name
 */
public record Decision(String node, NodeMode mode, List<TierOutcome> tiers, List<Assignment> assignments, List<String> warnings) {

    public Decision {
        tiers = List.copyOf(tiers);
        assignments = List.copyOf(assignments);
        warnings = List.copyOf(warnings);
    }

    public record TierOutcome(String name, int rank, TierCeiling ceiling, int pods, int sliceMs, boolean preempt) {
    }
}
