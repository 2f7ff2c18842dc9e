package codes.temper.yaml;

/**
 * Bounds on untrusted YAML. Policies come from a Git repository that many people can write to,
 * so a file is refused before it can cost memory or time out of proportion to its size.
 *
 * @param maxBytes     refuse larger files before decoding them
 * @param maxDocuments documents per file ("---" separated)
 * @param maxDepth     nesting of mappings and sequences
 * @param maxAliases   alias nodes per file; the YAML bomb ("billion laughs") needs many
 * @param maxNodes     nodes visited while reading, aliases counted each time they are followed
 */
public record Limits(int maxBytes, int maxDocuments, int maxDepth, int maxAliases, int maxNodes) {

    /** Policy files: small, hand-written. */
    public static final Limits POLICY = new Limits(1 << 20, 64, 32, 32, 100_000);

    /**
     * kubectl snapshots: a node's pods as YAML run to a few MB (~10 KB a pod); a cluster's
     * {@code get pods -A} is bounded by pod count (Snapshots.MAX_PODS) and by these 16 MiB. The
     * composed YAML tree costs ~30 times the file: 2,000 pods (8 MB) fit in a 256 MB heap, 5,000
     * (20 MB) did not fit in 512 MB, and 100,000 at the old 512 MiB bound took 3.9 GB RSS.
     * kubectl (and JSON) never write aliases, and a 1 KB alias bomb would otherwise be read up to
     * the node bound, gigabytes of heap: no aliases at all.
     */
    public static final Limits SNAPSHOT = new Limits(16 << 20, 4, 64, 0, 2_000_000);
}
