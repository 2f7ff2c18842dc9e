package codes.temper.kube;

import codes.temper.reconcile.World;
import codes.temper.reconcile.WorldView;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * This node and the pods bound to it, from two fabric8 informers: the Node by name, the pods by
 * the field selector {@code spec.nodeName=<node>} (so the API server sends this agent only its own
 * pods, whatever the cluster's size). The caches are the view the reconciler reads; when the API
 * server goes away they keep the last listing and the informers re-list and re-watch on their own
 * when it returns. It owns the node's cgroup driver, so the pods it hands on carry their cgroups.
 */
public final class InformerWorld implements World, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InformerWorld.class.getName());

    /**
     * fabric8 stops an informer for good when its first list fails ("listSyncAndWatch failed ...,
     * will stop"), and retries only failures after it has started. A slow or absent API server at
     * the agent's start (20 agents starting at once beside a loaded kube-apiserver timed out one
     * node list; issue 24) then left the agent running without its node, for as long as the
     * process lived. So every failure is retried, with the informer's own backoff, except a
     * response the model cannot read, which no retry mends.
     */
    static final ExceptionHandler RETRY = (started, t) -> {
        boolean retry = !ExceptionHandler.isDeserializationException(t);
        LOG.log(System.Logger.Level.WARNING, "{0} the API server failed: {1}; {2}", started ? "watching" : "listing",
                t, retry ? "retrying" : "giving up: the response cannot be read");
        return retry;
    };

    /** Called on the informers' thread; keep it short (the kill switch's fast path runs here). */
    public interface Listener {
        void nodeChanged(Node before, Node after);

        void podsChanged();
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final Duration resync;
    private final CgroupDriver cgroupDriver;
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Pod> pods;

    public InformerWorld(KubernetesClient client, String nodeName, Duration resync, CgroupDriver cgroupDriver) {
        this.client = client;
        this.nodeName = nodeName;
        this.resync = resync;
        this.cgroupDriver = cgroupDriver;
    }

    /**
     * Starts both informers without waiting: an unreachable API server at start is not fatal.
     * {@code listener} hears of every change from then on.
     */
    public synchronized void start(Listener listener) {
        if (nodes != null) return;
        nodes = client.nodes().withName(nodeName).runnableInformer(resync.toMillis());
        nodes.exceptionHandler(RETRY);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                listener.nodeChanged(null, n);
            }

            @Override
            public void onUpdate(Node before, Node after) {
                listener.nodeChanged(before, after);
            }

            @Override
            public void onDelete(Node n, boolean unknownFinalState) {
                listener.nodeChanged(n, null);
            }
        });
        pods = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(resync.toMillis());
        pods.exceptionHandler(RETRY);
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                listener.podsChanged();
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                // A resync re-delivers every pod unchanged; only a new resourceVersion is news.
                if (before == null || after == null || !java.util.Objects.equals(
                        before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion())) {
                    listener.podsChanged();
                }
            }

            @Override
            public void onDelete(Pod p, boolean unknownFinalState) {
                listener.podsChanged();
            }
        });
        nodes.start();
        pods.start();
    }

    @Override
    public WorldView view() {
        return WorldViews.of(synced(), node(), pods(), cgroupDriver, problem());
    }

    private Optional<Node> node() {
        return nodes == null ? Optional.empty() : nodes.getStore().list().stream()
                .filter(n -> nodeName.equals(n.getMetadata().getName())).findFirst();
    }

    private List<Pod> pods() {
        // The API server already filters by spec.nodeName; filtering again costs nothing and keeps
        // a server (or test double) that ignores the field selector from handing us other nodes' pods.
        return pods == null ? List.of() : pods.getStore().list().stream()
                .filter(p -> p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName())).toList();
    }

    private boolean synced() {
        return nodes != null && pods != null && nodes.hasSynced() && pods.hasSynced();
    }

    @Override
    public Optional<String> problem() {
        if (nodes == null || pods == null) return Optional.of("informers not started");
        if (!nodes.isWatching() || !pods.isWatching()) return Optional.of("not watching the API server; using the last listing");
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        if (nodes != null) nodes.close();
        if (pods != null) pods.close();
    }
}
