package codes.temper.reconcile;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * This node and the pods bound to it as last seen: an informer cache in a cluster, snapshot files
 * without one. Level-based: the reconciler reads the whole current view each time it runs and
 * never depends on which events led there, so a missed or repeated event cannot leave it wrong.
 */
public interface World {

    /** The node, or empty when it has not been seen (yet). */
    Optional<Node> node();

    List<Pod> pods();

    /** False until the first complete listing: deciding on a partial view would drop pods. */
    boolean synced();

    /** Why the view may be stale or incomplete (file unreadable, API server unreachable), or empty. */
    default Optional<String> problem() {
        return Optional.empty();
    }
}
