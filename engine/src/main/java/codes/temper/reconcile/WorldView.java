package codes.temper.reconcile;

import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import java.util.List;
import java.util.Optional;

/**
 * One read of the {@link World}: what a reconcile pass decides on.
 *
 * @param synced   false until the first complete listing: deciding on a partial view would drop pods
 * @param nodeSeen whether the node was seen at all
 * @param node     the node as the rules see it; empty when not seen, or when it reports no
 *                 allocatable CPU (nothing can be sized)
 * @param pods     the pods bound to it, their cgroup paths for the node's cgroup driver
 * @param podsRoot the cgroup every pod lives under (kubepods.slice or kubepods)
 * @param problem  why the view may be stale or incomplete, or empty
 */
public record WorldView(boolean synced, boolean nodeSeen, Optional<NodeFact> node, List<PodFact> pods, String podsRoot,
        Optional<String> problem) {

    public WorldView {
        pods = List.copyOf(pods);
        if (!nodeSeen && node.isPresent()) throw new IllegalArgumentException("a node fact for a node not seen");
    }
}
