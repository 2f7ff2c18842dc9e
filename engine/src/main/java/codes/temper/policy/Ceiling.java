package codes.temper.policy;

/**
 * How much CPU a tier may use, as written in the policy. The rules turn it into CPUs for a
 * given node.
 *
 * @param kind  how {@code value} is meant
 * @param value percent of the node's allocatable CPU (SHARE), cores (CORES), unused otherwise
 */
public record Ceiling(Kind kind, double value) {
    public enum Kind {
        /** No ceiling written: the whole node. */
        NONE,
        /** "25%": a share of the node's allocatable CPU, in (0, 100]. */
        SHARE,
        /** "6" or 6: absolute cores, > 0. */
        CORES,
        /** "quota": the sum of the member pods' CPU limits. */
        QUOTA
    }

    public static final Ceiling NONE = new Ceiling(Kind.NONE, 0);

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case SHARE -> number(value) + "%";
            case CORES -> number(value);
            case QUOTA -> "quota";
        };
    }

    /** A number as written: 8, not 8.0. */
    static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
