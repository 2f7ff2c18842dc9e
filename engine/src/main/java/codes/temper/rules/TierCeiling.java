package codes.temper.rules;

/**
 * A tier's effective CPU ceiling on this node.
 *
 * @param source "policy" (share or cores), "node" (no ceiling written: all allocatable CPU),
 *               "quota" (sum of members' limits) or "quota-fallback" (a member has no limit)
 */
public record TierCeiling(String tier, double cpus, String source, String note) {
}
