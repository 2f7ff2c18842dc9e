package codes.temper.rules;

/**
 * A tier's floor on this node (or system work's, {@link #SYSTEM}): what it keeps, in CPUs, while
 * higher-ranked work saturates the node.
 *
 * @param source "policy" (written) or "default" (not written: the default share of the node)
 */
public record TierFloor(String tier, double cpus, String source, String note) {
    /** The name system work's floor goes by. */
    public static final String SYSTEM = "(system)";
}
