package codes.temper.policy;

import java.util.List;

/**
 * A QoS tier. Tiers are listed highest first in the policy; {@code rank} is that position and is
 * what the scheduler serves by.
 */
public record Tier(String name, int rank, List<TierMatch> match, Ceiling ceiling, int sliceMs, boolean preempt) {
    public Tier {
        match = List.copyOf(match);
    }
}
