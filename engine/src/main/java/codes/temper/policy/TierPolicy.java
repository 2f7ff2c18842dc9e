package codes.temper.policy;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tier table of a policy revision.
 *
 * @param allowLabelOverride      whether a pod's {@code temper.codes/tier} label is heeded at all
 *                                (off unless the policy says so: a pod must not promote itself)
 * @param labelOverrideNamespaces where a label may place a pod in any tier; elsewhere a label may
 *                                only keep or lower the tier the pod's priority earns. Required
 *                                (non-empty) when overrides are allowed, empty otherwise.
 * @param defaultTier             where a pod that matches no entry goes (the lowest tier unless set)
 * @param systemFloor             what system work (kubelet, the runtime: tasks outside the pods'
 *                                cgroups) is served first up to, and after every tier beyond
 */
public record TierPolicy(String name, List<Tier> tiers, boolean allowLabelOverride, Set<String> labelOverrideNamespaces,
        String defaultTier, Floor systemFloor) {
    public TierPolicy {
        tiers = List.copyOf(tiers);
        labelOverrideNamespaces = Set.copyOf(labelOverrideNamespaces);
    }

    /** With the default system floor. */
    public TierPolicy(String name, List<Tier> tiers, boolean allowLabelOverride, Set<String> labelOverrideNamespaces, String defaultTier) {
        this(name, tiers, allowLabelOverride, labelOverrideNamespaces, defaultTier, Floor.DEFAULT);
    }

    public Optional<Tier> tier(String tierName) {
        return tiers.stream().filter(t -> t.name().equals(tierName)).findFirst();
    }
}
