package codes.temper.kube;

import codes.temper.reconcile.AgentStatus;
import codes.temper.rules.Mode;
import codes.temper.concurrent.Daemons;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reports the agent's state on its Node: the {@code temper.codes/agent-status},
 * {@code temper.codes/policy-revision} and {@code temper.codes/tiers} annotations, and Events for mode changes and rejected
 * revisions. Writes happen on this writer's own thread, so a slow or absent API server never
 * holds up the reconcile loop or the kill switch; only the latest status is written (older ones
 * are superseded, not queued), and failures are retried with a doubling delay.
 *
 * <p>Patches are JSON merge patches of {@code metadata.annotations} with only our keys:
 * nothing else on the Node is sent, so other writers' labels and annotations are never touched
 * and there is no read-modify-write race with them.
 */
public final class NodeStatusWriter implements AutoCloseable {
    private static final Logger LOG = System.getLogger(NodeStatusWriter.class.getName());
    public static final String STATUS_ANNOTATION = "temper.codes/agent-status";
    public static final String REVISION_ANNOTATION = "temper.codes/policy-revision";
    /**
     * The tiers in force on the node, by rank, with their ceilings: what the fleet page shows per
     * node. Names and ceilings only, no pod counts: those change with every pod started, and a
     * node patch per pod across a fleet would load the API server for a figure {@code /status} has.
     */
    public static final String TIERS_ANNOTATION = "temper.codes/tiers";
    /** Annotation values are for people and tools; a long reason is cut, the whole one is in /status. */
    static final int MAX_VALUE = 250;

    private record Written(String status, String revision, String tiers) {
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final NodeWrites.Reporter reporter;
    private final Object lock = new Object();
    private AgentStatus latest;
    private final Deque<Event> events = new ArrayDeque<>();
    private Written written;
    private Mode lastMode;
    private boolean closed;
    private final Thread worker;
    private volatile long patches;

    public NodeStatusWriter(KubernetesClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
        this.reporter = new NodeWrites.Reporter("temper", "temper-agent", "temper.codes/agent", nodeName, nodeName);
        this.worker = Daemons.start("temper-node-status", this::run);
    }

    /** The reconciler's status listener: cheap, never blocks. */
    public void offer(AgentStatus st) {
        synchronized (lock) {
            latest = st;
            if (lastMode != st.mode()) {
                if (lastMode != null || st.mode() != Mode.ATTACH) {
                    events.add(event(st.mode() == Mode.ATTACH ? "Normal" : "Warning", "TemperModeChanged",
                            "mode " + (lastMode == null ? "" : lastMode.wire() + " -> ") + st.mode().wire() + ": " + String.join("; ", st.reasons())));
                }
                lastMode = st.mode();
            }
            lock.notifyAll();
        }
    }

    public void rejectedRevision(String revision, String reason) {
        synchronized (lock) {
            events.add(event("Warning", "TemperPolicyRejected", "policy revision " + revision + " rejected, last good kept: " + reason));
            lock.notifyAll();
        }
    }

    /**
     * An Event on the node about something done to it from outside the loop (an allowed change
     * through the status API), sent on this writer's thread like the others.
     */
    public void send(String type, String reason, String message) {
        synchronized (lock) {
            events.add(event(type, reason, message));
            lock.notifyAll();
        }
    }

    /** Annotation patches sent so far (tests and metrics). */
    public long patches() {
        return patches;
    }

    private void run() {
        Duration backoff = Duration.ofMillis(500);
        while (true) {
            AgentStatus st;
            Event ev;
            synchronized (lock) {
                while (!closed && events.isEmpty() && (latest == null || Objects.equals(written, target(latest)))) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                st = latest;
                ev = events.peekFirst();
            }
            try {
                Written want = st == null ? null : target(st);
                if (want != null && !Objects.equals(written, want)) patch(want);
                if (ev != null) {
                    NodeWrites.send(client, ev);
                    synchronized (lock) {
                        events.pollFirst();
                    }
                }
                backoff = Duration.ofMillis(500);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot report status on node {0} ({1}); retrying in {2} ms", nodeName, e.getMessage(), backoff.toMillis());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
            }
        }
    }

    private static Written target(AgentStatus st) {
        return new Written(cut(st.agentStatus()), st.policyRevision(), tiers(st.tiers()));
    }

    /** {@code critical, normal, background (max 2 CPUs)}; null (the annotation removed) with no tiers in force. */
    static String tiers(List<AgentStatus.Tier> tiers) {
        if (tiers == null || tiers.isEmpty()) return null;
        return cut(tiers.stream()
                .sorted(Comparator.comparingInt(AgentStatus.Tier::rank))
                .map(t -> t.ceilingCpus() == null ? t.name() : t.name() + " (max " + cpus(t.ceilingCpus()) + " CPUs)")
                .collect(Collectors.joining(", ")));
    }

    private static String cpus(double c) {
        return BigDecimal.valueOf(c).stripTrailingZeros().toPlainString(); // 8, 1.9775: no "8.0"
    }

    private void patch(Written w) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(STATUS_ANNOTATION, w.status());
        annotations.put(REVISION_ANNOTATION, w.revision()); // null removes it: no revision applied
        annotations.put(TIERS_ANNOTATION, w.tiers());
        NodeWrites.patchAnnotations(client, nodeName, null, annotations);
        patches++;
        written = w;
    }

    static String cut(String s) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_VALUE ? oneLine : oneLine.substring(0, MAX_VALUE - 3) + "...";
    }

    private Event event(String type, String reason, String message) {
        return NodeWrites.event(reporter, nodeName, type, reason, message);
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        worker.interrupt();
    }
}
