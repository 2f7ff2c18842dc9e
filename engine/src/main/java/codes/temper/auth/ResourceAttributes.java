package codes.temper.auth;

/**
 * What a request would do, in the terms Kubernetes authorises: a verb on a resource (a
 * SubjectAccessReview's {@code resourceAttributes}). Temper's endpoints map onto the Node they
 * act on, as kube-rbac-proxy maps a proxied endpoint onto a resource: reading a node's state is
 * {@code get} on that node, changing it is {@code patch} on it (who may annotate the node with
 * {@code temper.codes/safe-mode-requested} may also ask for safe mode through the API).
 *
 * @param group     the API group, "" for the core group
 * @param namespace "" for cluster-scoped resources
 */
public record ResourceAttributes(String verb, String group, String resource, String name, String namespace) {

    public ResourceAttributes {
        group = group == null ? "" : group;
        namespace = namespace == null ? "" : namespace;
    }

    /** Reading the node's status, audit trail and session. */
    public static ResourceAttributes getNode(String node) {
        return new ResourceAttributes("get", "", "nodes", node, "");
    }

    /** Changing what the scheduler does on the node (safe mode). */
    public static ResourceAttributes patchNode(String node) {
        return new ResourceAttributes("patch", "", "nodes", node, "");
    }

    /** The fleet page's reads: every node (no name: the permission must cover all of them). */
    public static ResourceAttributes listNodes() {
        return new ResourceAttributes("list", "", "nodes", null, "");
    }

    /**
     * The fleet page's toggles: {@code patch} on every node, what {@code kubectl annotate node --all
     * temper.codes/safe-mode-requested=true} needs too. One permission for all three scopes: a
     * toggle acts through the controller's cluster-wide rights, and who may patch only one node
     * has that node's agent page.
     */
    public static ResourceAttributes patchNodes() {
        return new ResourceAttributes("patch", "", "nodes", null, "");
    }

    /** For people and the audit trail: {@code patch nodes/node-a}. */
    @Override
    public String toString() {
        String res = group.isEmpty() ? resource : resource + "." + group;
        return verb + " " + res + (name == null || name.isEmpty() ? "" : "/" + name)
                + (namespace.isEmpty() ? "" : " in namespace " + namespace);
    }
}
