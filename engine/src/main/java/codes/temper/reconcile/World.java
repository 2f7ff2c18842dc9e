package codes.temper.reconcile;

import java.util.Optional;

/**
 * This node and the pods bound to it as last seen: an informer cache in a cluster, snapshot files
 * without one. The adapters (in {@code kube}) translate what they hold into the rules' facts, with
 * the node's cgroup driver, so the loop never sees a Kubernetes object. Level-based: the
 * reconciler reads the whole current view each time it runs and never depends on which events
 * led there, so a missed or repeated event cannot leave it wrong.
 */
public interface World {

    /** The whole view now, in the rules' terms. */
    WorldView view();

    /** Why the view may be stale or incomplete (file unreadable, API server unreachable), or empty. */
    default Optional<String> problem() {
        return view().problem();
    }
}
