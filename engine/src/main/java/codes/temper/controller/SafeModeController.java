package codes.temper.controller;

import codes.temper.concurrent.Coalescing;
import codes.temper.concurrent.CoalescingLoop;
import codes.temper.kube.NodeStatusWriter;
import codes.temper.kube.NodeWrites;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicyStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;

/**
 * Keeps every node's {@code temper.codes/safe-mode-requested} in line with the TemperPolicies.
 * Informers keep caches of policies and nodes; every relevant event only signals the
 * {@link CoalescingLoop}, and one pass plans from the caches (desired vs actual, {@link SafeModePlanner})
 * and applies the difference: a minimal JSON merge patch per node that needs one, a status patch
 * a conditional status replace per policy whose status changed. A periodic resync re-runs the pass, repairing anything a lost
 * event or a refused patch left behind.
 */
public final class SafeModeController implements AutoCloseable {

    private static final Logger LOG = System.getLogger(SafeModeController.class.getName());

    public record Options(Duration resync, Duration quiet, Duration maxDelay) {
        public static final Options DEFAULT = new Options(Duration.ofMinutes(10), Duration.ofMillis(500), Duration.ofSeconds(5));
    }

    /** Counters for logs and tests: how much work the passes did. */
    public record Stats(long passes, long nodePatches, long nodeConflicts, long statusWrites, long statusConflicts, long failures) {}

    static final NodeWrites.Reporter REPORTER =
            new NodeWrites.Reporter("temper-controller", "temper-controller", "temper.codes/controller", "temper-controller", null);

    static final int PARALLEL_PATCHES = 8;

    private final KubernetesClient client;
    private final Options options;
    private final SafeModePlanner planner;
    private final CoalescingLoop loop;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong nodePatches = new AtomicLong();
    private final AtomicLong nodeConflicts = new AtomicLong();
    private final AtomicLong statusWrites = new AtomicLong();
    private final AtomicLong statusConflicts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<TemperPolicy> policies;
    /** When the watch last saw each node's agent-status change (since this controller started), for the fleet page. */
    private final Map<String, java.time.Instant> statusChanged = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;

    public SafeModeController(KubernetesClient client, Options options) {
        this(client, options, Clock.systemUTC());
    }

    SafeModeController(KubernetesClient client, Options options, Clock clock) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.planner = new SafeModePlanner(clock);
        this.loop = new CoalescingLoop("temper-controller", new Coalescing.Pacing(options.quiet(), options.maxDelay(), options.resync()),
                batch -> passSafely());
    }

    /** Starts the informers (blocks until both caches are filled), then the first pass and the resync. */
    public void start() {
        // Status-only updates (our own status writes) and node heartbeats carry nothing we decide on.
        policies = client.resources(TemperPolicy.class)
                .inform(handler((a, b) -> !Objects.equals(a.getSpec(), b.getSpec())), 0);
        nodes = client.nodes().inform(handler((a, b) -> {
            noteStatusChange(a, b);
            return relevantNodeChange(a, b);
        }), 0);
        loop.start("start");
        LOG.log(Level.INFO, "controller started: {0} policies, {1} nodes, resync every {2}",
                policies.getStore().list().size(), nodes.getStore().list().size(), options.resync());
    }

    public Stats stats() {
        return new Stats(passes.get(), nodePatches.get(), nodeConflicts.get(), statusWrites.get(), statusConflicts.get(),
                failures.get());
    }

    private <T> ResourceEventHandler<T> handler(BiPredicate<T, T> relevantUpdate) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                loop.signal("add");
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (relevantUpdate.test(oldObj, newObj)) loop.signal("update");
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                if (obj instanceof Node n) statusChanged.remove(n.getMetadata().getName());
                loop.signal("delete");
            }
        };
    }

    /**
     * Why the caches may be going stale, or empty when both watches are up. A watch the API server
     * dropped is re-established by the informer; until it is, the fleet page would show old nodes
     * and toggles as current, so the page's readiness says so.
     */
    public Optional<String> watchProblem() {
        return watchProblem("temperpolicies", policies).or(() -> watchProblem("nodes", nodes));
    }

    private static Optional<String> watchProblem(String resource, SharedIndexInformer<?> informer) {
        if (informer == null || !informer.isRunning()) return Optional.of("the " + resource + " watch is not running");
        return informer.isWatching() ? Optional.empty()
                : Optional.of("the " + resource + " watch is down; the informer is re-establishing it");
    }

    /** The informer's nodes: what the last pass planned from, or newer. Never a LIST against the API server. */
    public List<Node> cachedNodes() {
        return nodes == null ? List.of() : nodes.getStore().list();
    }

    public List<TemperPolicy> cachedPolicies() {
        return policies == null ? List.of() : policies.getStore().list();
    }

    public TemperPolicy cachedPolicy(String name) {
        return policies == null ? null : policies.getStore().getByKey(name);
    }

    /** When this controller saw the node's agent-status change, or null (not since it started). */
    public java.time.Instant lastStatusChange(String node) {
        return statusChanged.get(node);
    }

    private void noteStatusChange(Node a, Node b) {
        String before = a.getMetadata().getAnnotations() == null ? null : a.getMetadata().getAnnotations().get(NodeStatusWriter.STATUS_ANNOTATION);
        String after = b.getMetadata().getAnnotations() == null ? null : b.getMetadata().getAnnotations().get(NodeStatusWriter.STATUS_ANNOTATION);
        if (!Objects.equals(before, after)) statusChanged.put(b.getMetadata().getName(), clock.instant());
    }

    static boolean relevantNodeChange(Node a, Node b) {
        if (!Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())) return true;
        Map<String, String> x = a.getMetadata().getAnnotations() == null ? Map.of() : a.getMetadata().getAnnotations();
        Map<String, String> y = b.getMetadata().getAnnotations() == null ? Map.of() : b.getMetadata().getAnnotations();
        // The agent's own status counts too: the policies' status tallies what the agents report.
        return SafeModeAnnotations.ALL.stream().anyMatch(k -> !Objects.equals(x.get(k), y.get(k)))
                || !Objects.equals(x.get(NodeStatusWriter.STATUS_ANNOTATION), y.get(NodeStatusWriter.STATUS_ANNOTATION));
    }

    private void passSafely() {
        try {
            pass();
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.log(Level.WARNING, "reconcile pass failed, retrying at the next event or resync: {0}", e.toString());
        }
    }

    /** One reconcile: plan from the caches, apply only what differs. */
    void pass() {
        // Never plan from a cache that has not been filled: an empty policy list would look like
        // "no policy" and release every node the controller holds.
        if (!policies.hasSynced() || !nodes.hasSynced()) {
            loop.signal("unsynced");
            return;
        }
        passes.incrementAndGet();
        SafeModePlanner.Plan plan = planner.plan(policies.getStore().list(), nodes.getStore().list());
        boolean retry = !patchNodes(plan.nodePatches());
        for (Map.Entry<String, TemperPolicyStatus> e : plan.statuses().entrySet()) {
            TemperPolicy cached = policies.getStore().getByKey(e.getKey());
            if (cached != null && !Objects.equals(cached.getStatus(), e.getValue())) retry |= !writeStatus(cached, e.getValue());
        }
        // The watch will bring the newer node version; the next pass decides on it.
        if (retry) loop.signal("retry");
    }

    /**
     * A fleet-wide toggle is one patch per node: sent PARALLEL_PATCHES at a time, so 5,000 nodes
     * take seconds, not the minutes one-by-one round trips would, while the API server never sees
     * more than that many of our requests at once.
     *
     * @return whether every patch landed (or its node is gone)
     */
    private boolean patchNodes(List<NodePatch> patches) {
        if (patches.isEmpty()) return true;
        long conflictsBefore = nodeConflicts.get(), failuresBefore = failures.get();
        Semaphore permits = new Semaphore(PARALLEL_PATCHES);
        List<Future<Boolean>> results = new ArrayList<>(patches.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (NodePatch p : patches) {
                permits.acquireUninterruptibly();
                results.add(pool.submit(() -> {
                    try {
                        return patchNode(p);
                    } finally {
                        permits.release();
                    }
                }));
            }
        }
        boolean all = true;
        for (Future<Boolean> f : results) all &= f.resultNow();
        // One line per pass, not per node: a fleet-wide toggle would be 5,000 lines.
        List<String> names = patches.stream().limit(5).map(NodePatch::node).toList();
        LOG.log(Level.INFO, "patched {0} node(s) ({1}{2}): {3} conflict(s), {4} failure(s)", patches.size(),
                String.join(", ", names), patches.size() > names.size() ? ", ..." : "",
                nodeConflicts.get() - conflictsBefore, failures.get() - failuresBefore);
        return all;
    }

    private boolean patchNode(NodePatch p) {
        try {
            NodeWrites.patchAnnotations(client, p.node(), p.resourceVersion(), p.annotations());
            nodePatches.incrementAndGet();
            LOG.log(Level.DEBUG, "node {0}: {1}", p.node(), p.annotations());
            event(p);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) return true;
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                nodeConflicts.incrementAndGet();
                LOG.log(Level.INFO, "node {0} changed while deciding; deciding again", p.node());
            } else {
                failures.incrementAndGet();
                LOG.log(Level.WARNING, "node {0}: patch failed: {1}", p.node(), e.getMessage());
            }
            return false;
        }
    }

    /**
     * Tells `kubectl describe node` why its safe-mode annotation changed. Best effort: the patch is
     * what counts, and a lost event is not worth a retry that could repeat the patch.
     */
    private void event(NodePatch p) {
        String requested = p.annotations().get(SafeModeAnnotations.REQUESTED);
        String by = p.annotations().get(SafeModeAnnotations.REQUESTED_BY);
        String reason = p.annotations().get(SafeModeAnnotations.REASON);
        String message = requested != null
                ? "safe mode requested by " + (by == null ? "the controller" : by) + (reason == null ? "" : ": " + reason)
                : "the controller's safe-mode request was withdrawn";
        try {
            NodeWrites.send(client, NodeWrites.event(REPORTER, p.node(), requested != null ? "Warning" : "Normal",
                    requested != null ? "TemperSafeModeRequested" : "TemperSafeModeReleased", message));
        } catch (KubernetesClientException e) {
            LOG.log(Level.WARNING, "node {0}: event not recorded: {1}", p.node(), e.getMessage());
        }
    }

    /**
     * Replaces the status through the status subresource, conditional on the resourceVersion the
     * plan was made from (a 409 means the policy moved on; the next pass decides again). Not a
     * merge patch: status lists must be replaced whole, and a conditional replace says so plainly.
     */
    private boolean writeStatus(TemperPolicy cached, TemperPolicyStatus status) {
        TemperPolicy copy = client.getKubernetesSerialization().clone(cached);
        copy.setStatus(status);
        try {
            client.resource(copy).updateStatus();
            statusWrites.incrementAndGet();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) return true;
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                statusConflicts.incrementAndGet();
            } else {
                failures.incrementAndGet();
                LOG.log(Level.WARNING, "TemperPolicy {0}: status update failed: {1}", cached.getMetadata().getName(), e.getMessage());
            }
            return false;
        }
    }

    /**
     * Stops the informers and waits (briefly) for a pass in flight to finish its patches; a
     * debounced pass that has not started is dropped.
     */
    @Override
    public void close() {
        loop.close(Duration.ofSeconds(10));
        if (nodes != null) nodes.close();
        if (policies != null) policies.close();
    }
}
