package codes.temper.policy;

import java.util.List;

/**
 * A QoS tier. Tiers are listed highest first in the policy; {@code rank} is that position and is
 * what the scheduler serves by.
 *
 * @param floor what the tier keeps while higher tiers saturate the node
 */
public record Tier(String name, int rank, List<TierMatch> match, Ceiling ceiling, int sliceMs, boolean preempt, Floor floor) {
    public Tier {
        match = List.copyOf(match);
    }

    /** A tier with the default floor. */
    public Tier(String name, int rank, List<TierMatch> match, Ceiling ceiling, int sliceMs, boolean preempt) {
        this(name, rank, match, ceiling, sliceMs, preempt, Floor.DEFAULT);
    }
}
