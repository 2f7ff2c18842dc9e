package codes.temper.policy;

import java.util.List;

/**
 * A whole, validated policy revision: exactly one TierPolicy and any number of NodePolicies.
 * Only ever built complete; there is no partially valid PolicySet.
 *
 * @param digest sha256 over the files' names and bytes, so a plan is traceable even from a
 *               directory that is not a Git checkout
 */
public record PolicySet(TierPolicy tierPolicy, List<Exclusion> exclusions, List<String> files, String digest) {
    public PolicySet {
        exclusions = List.copyOf(exclusions);
        files = List.copyOf(files);
    }
}
