package codes.temper.policy;

import java.util.List;
import java.util.Optional;

/**
 * The tier table of a policy revision.
 *
 * @param allowLabelOverride whether a pod's {@code temper.codes/tier} label may pick its tier
 * @param defaultTier        where a pod that matches no entry goes (the lowest tier unless set)
 */
public record TierPolicy(String name, List<Tier> tiers, boolean allowLabelOverride, String defaultTier) {
    public TierPolicy {
        tiers = List.copyOf(tiers);
    }

    public Optional<Tier> tier(String tierName) {
        return tiers.stream().filter(t -> t.name().equals(tierName)).findFirst();
    }
}
