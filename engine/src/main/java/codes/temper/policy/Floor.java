package codes.temper.policy;

/**
 * How much CPU a tier (or system work) keeps while higher-ranked work saturates the node, as
 * written in the policy: each 100 ms the scheduler serves it out of rank order for up to this
 * much, and no more. The rules turn it into CPUs for a given node.
 *
 * @param kind  how {@code value} is meant
 * @param value percent of the node's allocatable CPU (SHARE), cores (CORES), unused for DEFAULT;
 *              0 means no floor (for a tier only: system work always keeps one)
 */
public record Floor(Kind kind, double value) {
    public enum Kind {
        /** Not written: {@link #TIER_DEFAULT_PERCENT} of the node for a tier, {@link #SYSTEM_DEFAULT_PERCENT} for system work. */
        DEFAULT,
        /** "1%": a share of the node's allocatable CPU, in [0, 100]. */
        SHARE,
        /** "0.5" or 0.5: cores, >= 0. */
        CORES
    }

    /** A tier's floor when the policy gives none: enough for every task to run, too little to matter. */
    public static final double TIER_DEFAULT_PERCENT = 1;
    /** System work's: kubelet and the container runtime need far less, a runaway loop gets no more. */
    public static final double SYSTEM_DEFAULT_PERCENT = 10;

    public static final Floor DEFAULT = new Floor(Kind.DEFAULT, 0);

    /** The percentage of the node this floor is, when it is one (the default's included). */
    public double percent(boolean system) {
        return switch (kind) {
            case DEFAULT -> system ? SYSTEM_DEFAULT_PERCENT : TIER_DEFAULT_PERCENT;
            case SHARE -> value;
            case CORES -> Double.NaN;
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DEFAULT -> "default";
            case SHARE -> Ceiling.number(value) + "%";
            case CORES -> Ceiling.number(value);
        };
    }
}
