package codes.temper.reconcile;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.rules.CpuMaxSupport;
import codes.temper.rules.Decision;
import codes.temper.rules.Mode;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.sched.SchedulerSupervisor;
import io.fabric8.kubernetes.api.model.Node;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The loop: node, pods and policy in; the rules' decision; the scheduler made to hold it; status
 * out. Level-based and idempotent: every pass reads the whole current view and the driver writes
 * only what differs, so a burst of events, a repeated event or a periodic resync all converge on
 * the same state. Events are coalesced: after the first one the loop waits until the stream has
 * been quiet for {@code debounce} (at most {@code maxDelay}), then runs once for all of them.
 *
 * <p>Safe mode does not wait for the loop: {@link #safeMode} stands the scheduler down on the
 * caller's thread (an informer callback, the file watcher, the API) before anything else, and
 * cannot be held up by a Git fetch, a rules evaluation or the API server. A pass that decided to
 * attach just before is vetoed under the supervisor's lock.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Reconciler.class.getName());

    /** How the loop paces itself. */
    public record Pacing(Duration debounce, Duration maxDelay, Duration resync, Duration cgroupRetry) {
        /**
         * Pod churn waits up to 2 s to be applied (a new pod runs at the policy's default tier
         * meanwhile: it is below the pods root the scheduler is told of) so that a rollout's thousand events cost a handful of passes;
         * safe mode never waits for this.
         */
        public static final Pacing DEFAULT = new Pacing(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(1));
    }

    private final String nodeName;
    private final World world;
    private final Supplier<Optional<PolicyRevision>> policy;
    private final RuleEngine rules;
    private final CgroupDriver cgroupDriver;
    private final CgroupIds cgroups;
    private final SchedulerSupervisor supervisor;
    private final String dryRunWhy;
    private final CpuMaxProbe.Result cpuMaxProbe;
    // What the last pass knew of the kernel and cpu.max; null before the first.
    private volatile CpuMaxSupport cpuMaxSupport;
    // The mapped pods as the last attaching pass named them, for the throttling figures.
    private volatile java.util.Map<Long, StatsSampler.PodRef> podRefs = java.util.Map.of();
    private final SafeModeSignals signals;
    private final Pacing pacing;
    private final Clock clock;
    private final Consumer<AgentStatus> onStatus;
    private final MeterRegistry metrics;
    private final Timer reconcileTimer;

    private final Object queue = new Object();
    private final Set<String> triggers = new TreeSet<>();
    private int pendingEvents;
    private boolean urgent;
    private long firstNanos, lastNanos;
    private boolean closed;
    private Thread worker;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("temper-reconcile-timer").factory());

    private volatile AgentStatus status;
    private AgentStatus.Reconfiguration lastReconfiguration;
    private boolean retryScheduled;

    /** How often the scheduler's counters are sampled for the status and the metrics. */
    public static final Duration STATS_PERIOD = Duration.ofSeconds(5);
    private final StatsSampler sampler;
    private volatile AgentStatus.SchedulerStats stats;
    // Its own thread: a sample waits for the supervisor's lock, which a scheduler load holds for a
    // while, and must not hold up the cgroup retries on the loop's timer meanwhile.
    private final ScheduledExecutorService statsTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("temper-stats").factory());
    // The policy's default tier, asked of the rules once per policy and node.
    private codes.temper.policy.PolicySet defaultTierPolicy;
    private NodeFact defaultTierNode;
    private OptionalInt defaultTier = OptionalInt.empty();

    public Reconciler(String nodeName, World world, Supplier<Optional<PolicyRevision>> policy, RuleEngine rules,
            CgroupDriver cgroupDriver, CgroupIds cgroups, SchedulerSupervisor supervisor, String dryRunWhy,
            SafeModeSignals signals, Pacing pacing, Clock clock, MeterRegistry metrics, Consumer<AgentStatus> onStatus) {
        this(nodeName, world, policy, rules, cgroupDriver, cgroups, supervisor, dryRunWhy, null, signals, pacing, clock, metrics, onStatus);
    }

    /**
     * @param cpuMaxProbe what {@link CpuMaxProbe} found on this node's kernel (the agent runs on
     *                    its node); null = infer from the node's kernelVersion, as offline
     */
    public Reconciler(String nodeName, World world, Supplier<Optional<PolicyRevision>> policy, RuleEngine rules,
            CgroupDriver cgroupDriver, CgroupIds cgroups, SchedulerSupervisor supervisor, String dryRunWhy,
            CpuMaxProbe.Result cpuMaxProbe, SafeModeSignals signals, Pacing pacing, Clock clock, MeterRegistry metrics,
            Consumer<AgentStatus> onStatus) {
        this.nodeName = nodeName;
        this.world = world;
        this.policy = policy;
        this.rules = rules;
        this.cgroupDriver = cgroupDriver;
        this.cgroups = cgroups;
        this.supervisor = supervisor;
        this.dryRunWhy = dryRunWhy;
        this.cpuMaxProbe = cpuMaxProbe;
        this.cpuMaxSupport = cpuMaxProbe == null ? null : support(cpuMaxProbe);
        this.signals = signals;
        this.pacing = pacing;
        this.clock = clock;
        this.metrics = metrics;
        this.onStatus = onStatus;
        this.reconcileTimer = Timer.builder("temper_reconcile").description("one pass: evaluate the rules and apply the difference")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.status = new AgentStatus(nodeName, Mode.SAFE_MODE.wire(), "degraded:starting", List.of("starting: nothing applied yet"),
                null, false, List.of(), schedulerStatus(), null, clock.instant());
        this.sampler = new StatsSampler(supervisor, dryRunWhy, clock, System::nanoTime);
        this.stats = sampler.initial();
    }

    /** The last pass's snapshot with the scheduler's counters as last sampled. */
    public AgentStatus status() {
        return status.withStats(stats);
    }

    /**
     * Samples the scheduler's counters into the status now (the timer does it every
     * {@link #STATS_PERIOD}); never runs on, nor waits for, the reconcile loop.
     */
    public AgentStatus.SchedulerStats sampleStats() {
        AgentStatus.SchedulerStats s = sampler.sample(status.tiers(), podRefs);
        stats = s;
        return s;
    }

    /** Something changed (pods, node, policy, ...): reconcile soon, together with whatever else arrives. */
    public void signal(String trigger) {
        signal(trigger, false);
    }

    /**
     * @param urgent skip the debounce: an operator's safe-mode change is applied (and reported) at
     *               once, and carries along whatever churn is pending rather than waiting for it
     */
    private void signal(String trigger, boolean urgent) {
        synchronized (queue) {
            if (urgent) this.urgent = true;
            long now = System.nanoTime();
            if (pendingEvents == 0) firstNanos = now;
            lastNanos = now;
            pendingEvents++;
            triggers.add(trigger);
            queue.notifyAll();
        }
        metrics.counter("temper_reconcile_events_total", "trigger", trigger).increment();
    }

    /**
     * The kill switch. On: the scheduler is detached before this returns. Off: this source's
     * request is withdrawn; if no other source still asks, the next pass re-engages.
     */
    public void safeMode(SafeModeSignals.Source source, boolean on, String why) {
        boolean changed = signals.set(source, on, why);
        if (on) supervisor.standDown();
        if (changed) {
            metrics.counter("temper_safe_mode_transitions_total", "to", on ? "on" : "off").increment();
            LOG.log(on ? Level.WARNING : Level.INFO, "safe mode {0} ({1}: {2})", on ? "ON" : "withdrawn", source, why);
            if (on) publish(safeModeStatus());
            else supervisor.reset(); // an operator's release is also a fresh start for the backoff
            signal("safe-mode", true);
        }
    }

    public void start() {
        synchronized (queue) {
            if (worker != null) return;
            worker = Thread.ofPlatform().name("temper-reconcile").start(this::run);
        }
        statsTimer.scheduleWithFixedDelay(() -> {
            try {
                sampleStats();
            } catch (RuntimeException e) {
                // A task that throws is never run again by the executor: keep sampling.
                LOG.log(Level.WARNING, "sampling the scheduler's counters failed", e);
            }
        }, STATS_PERIOD.toMillis(), STATS_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        signal("start");
    }

    private void run() {
        while (true) {
            int events;
            String trigger;
            synchronized (queue) {
                try {
                    long resyncDeadline = System.nanoTime() + pacing.resync().toNanos();
                    while (pendingEvents == 0 && !closed) {
                        long left = resyncDeadline - System.nanoTime();
                        if (left <= 0) {
                            pendingEvents = 1;
                            triggers.add("resync");
                            firstNanos = lastNanos = System.nanoTime();
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(queue, left);
                    }
                    while (!closed && !urgent) {
                        long now = System.nanoTime();
                        long wait = Math.min(lastNanos + pacing.debounce().toNanos(), firstNanos + pacing.maxDelay().toNanos()) - now;
                        if (wait <= 0) break;
                        TimeUnit.NANOSECONDS.timedWait(queue, wait);
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) return;
                events = pendingEvents;
                trigger = String.join(",", triggers);
                pendingEvents = 0;
                urgent = false;
                triggers.clear();
            }
            try {
                reconcileOnce(trigger, events);
            } catch (RuntimeException e) {
                // Never leave the loop: the node goes to CFS and the next event or resync retries.
                LOG.log(Level.ERROR, "reconcile failed; standing the scheduler down", e);
                stand(degraded("reconcile failed: " + e, status.policyRevision()));
            }
        }
    }

    /** One pass, on the caller's thread: what the loop runs; tests and the CLI call it directly. */
    public synchronized AgentStatus reconcileOnce(String trigger, int events) {
        long t0 = System.nanoTime();
        Optional<PolicyRevision> pol = policy.get();
        String revision = pol.map(PolicyRevision::revision).orElse(null);
        if (!world.synced()) return stand(degraded("waiting for the first listing of the node and its pods", revision));
        if (pol.isEmpty()) return stand(degraded("no policy loaded yet", null));
        Optional<Node> node = world.node();
        if (node.isEmpty()) return stand(degraded("node " + nodeName + " not found", revision));
        Optional<NodeFact> nodeFact = NodeFacts.of(node.get()).map(n -> cpuMaxProbe == null ? n : n.withCpuMax(support(cpuMaxProbe)));
        if (nodeFact.isEmpty()) return stand(degraded("node " + nodeName + " reports no allocatable CPU", revision));
        List<PodFact> pods = world.pods().stream().map(p -> PodFacts.of(p, cgroupDriver)).toList();
        cpuMaxSupport = nodeFact.get().cpuMax();
        Decision decision = rules.evaluate(pol.get().policy(), nodeFact.get(), pods);
        long evaluated = System.nanoTime();

        List<String> reasons = new ArrayList<>(decision.mode().reasons());
        world.problem().ifPresent(p -> reasons.add("view may be stale: " + p));
        Mode mode = decision.mode().mode();
        int writes = 0;
        boolean attached = false;
        List<String> unresolved = List.of();
        if (signals.requested()) {
            supervisor.standDown();
            mode = Mode.SAFE_MODE;
            reasons.addAll(0, signals.reasons());
        } else if (mode != Mode.ATTACH) {
            supervisor.standDown();
        } else {
            // Where the kernel does not hand cpu.max to the scheduler (or the probe could not
            // tell), each pod's CPU limit becomes a ceiling the scheduler holds.
            DesiredConfig desired = DesiredConfig.of(decision, cgroups, cgroupDriver.podsRoot(), defaultTier(pol.get(), nodeFact.get()),
                    !nodeFact.get().cpuMax().enforced());
            unresolved = desired.unresolvedPods();
            java.util.Map<Long, StatsSampler.PodRef> refs = new java.util.HashMap<>();
            desired.mapped().forEach((id, a) -> refs.put(id, new StatsSampler.PodRef(a.pod().key(), a.tier())));
            podRefs = java.util.Map.copyOf(refs);
            if (!desired.podsRootFound()) {
                reasons.add("pods root cgroup " + cgroupDriver.podsRoot() + " not found under " + cgroups.root()
                        + ": pods not mapped yet run as system work, not at the default tier");
            }
            SchedulerSupervisor.Phase phase = supervisor.engage(desired.config(), signals::requested);
            if (signals.requested()) mode = Mode.SAFE_MODE;
            var applied = supervisor.status().lastApply();
            if (phase == SchedulerSupervisor.Phase.ATTACHED && applied.isPresent()) {
                writes = applied.get().writes();
                attached = applied.get().attached();
            }
            if (!unresolved.isEmpty()) {
                reasons.add(unresolved.size() + " pod(s) without a cgroup yet, retrying: "
                        + String.join(", ", unresolved.subList(0, Math.min(5, unresolved.size()))));
                retryLater();
            }
        }
        long applied = System.nanoTime();
        metrics.counter("temper_map_writes_total").increment(writes);
        lastReconfiguration = new AgentStatus.Reconfiguration(clock.instant(), trigger, events, (evaluated - t0) / 1e6, (applied - evaluated) / 1e6, writes, attached);
        reconcileTimer.record(applied - t0, TimeUnit.NANOSECONDS);
        AgentStatus st = new AgentStatus(nodeName, mode.wire(), agentStatus(mode, reasons), reasons, revision, true,
                tiers(decision), schedulerStatus(), lastReconfiguration, clock.instant());
        publish(st);
        return st;
    }

    private OptionalInt defaultTier(PolicyRevision pol, NodeFact node) {
        if (pol.policy() != defaultTierPolicy || !node.equals(defaultTierNode)) {
            defaultTier = DefaultTier.of(rules, pol.policy(), node);
            defaultTierPolicy = pol.policy();
            defaultTierNode = node;
        }
        return defaultTier;
    }

    private AgentStatus stand(AgentStatus st) {
        supervisor.standDown();
        publish(st);
        return st;
    }

    private AgentStatus degraded(String why, String revision) {
        return new AgentStatus(nodeName, Mode.SAFE_MODE.wire(), "degraded:" + why, List.of(why), revision, false,
                List.of(), schedulerStatus(), lastReconfiguration, clock.instant());
    }

    private AgentStatus safeModeStatus() {
        AgentStatus s = status;
        return new AgentStatus(nodeName, Mode.SAFE_MODE.wire(), "safe-mode", signals.reasons(), s.policyRevision(), s.ready(),
                s.tiers(), schedulerStatus(), s.lastReconfiguration(), clock.instant());
    }

    private String agentStatus(Mode mode, List<String> reasons) {
        String first = reasons.isEmpty() ? "" : reasons.getFirst();
        return switch (mode) {
            case SAFE_MODE -> "safe-mode";
            case EXCLUDED -> "excluded:" + first;
            case UNSUPPORTED -> "unsupported:" + first;
            case ATTACH -> switch (supervisor.status().phase()) {
                case ATTACHED -> "attached";
                case GAVE_UP -> "degraded:scheduler given up after repeated failures: " + supervisor.status().lastFailure().orElse("");
                case BACKOFF -> "degraded:scheduler failed, retrying: " + supervisor.status().lastFailure().orElse("");
                case DETACHED -> "degraded:scheduler not attached";
            };
        };
    }

    private static List<AgentStatus.Tier> tiers(Decision d) {
        return d.tiers().stream().map(t -> new AgentStatus.Tier(t.name(), t.rank(),
                t.ceiling() == null ? null : Math.round(t.ceiling().cpus() * 10_000) / 10_000.0,
                t.ceiling() == null ? null : t.ceiling().source(), t.pods())).toList();
    }

    private AgentStatus.Scheduler schedulerStatus() {
        var s = supervisor.status();
        return new AgentStatus.Scheduler(s.driver(), dryRunWhy, s.phase().name(), s.kernel().state(), s.kernel().ops(),
                s.kernel().enableSeq(), s.lastFailure().orElse(null), s.retryAt().orElse(null), cpuMax(s));
    }

    /** The probe's answer as the rules' fact: UNKNOWN is "not enforced", so never less enforcement. */
    static CpuMaxSupport support(CpuMaxProbe.Result r) {
        return switch (r.answer()) {
            case YES -> CpuMaxSupport.probed(true, r.why());
            case NO -> CpuMaxSupport.probed(false, r.why());
            case UNKNOWN -> CpuMaxSupport.probeFailed(r.why());
        };
    }

    /** Which mechanism holds cpu.max on the node now. */
    private AgentStatus.CpuMax cpuMax(SchedulerSupervisor.Status s) {
        return cpuMax(cpuMaxSupport, "dry-run".equals(s.driver()), s.phase() == SchedulerSupervisor.Phase.ATTACHED);
    }

    static AgentStatus.CpuMax cpuMax(CpuMaxSupport c, boolean dryRun, boolean attached) {
        String kernel;
        if (c == null) kernel = "not known yet";
        else kernel = switch (c.basis()) {
            case PROBED -> (c.enforced() ? "sched_ext passes cpu.max to the scheduler" : "sched_ext does not pass cpu.max to the scheduler")
                    + " (probed: " + c.detail() + ")";
            case PROBE_FAILED -> "unknown (" + c.detail() + "); taken as not passed, so pod ceilings are written";
            case INFERRED -> (c.enforced() ? "sched_ext passes cpu.max to the scheduler" : "sched_ext does not pass cpu.max to the scheduler")
                    + " (inferred from kernelVersion)";
        };
        boolean kernelPasses = c != null && c.enforced();
        String scheduler = kernelPasses ? "scheduler (cgroup cpu.max via cgroup_set_bandwidth)" : "scheduler (pod ceilings from CPU limits)";
        if (dryRun) {
            return new AgentStatus.CpuMax(AgentStatus.CpuMax.DRY_RUN,
                    "kernel CFS (dry run: the scheduler is not loaded; attached, it would be the " + scheduler + ")", kernel);
        }
        if (!attached) return new AgentStatus.CpuMax(AgentStatus.CpuMax.KERNEL_CFS, "kernel CFS (scheduler not attached)", kernel);
        return new AgentStatus.CpuMax(kernelPasses ? AgentStatus.CpuMax.SCHEDULER_CGROUP : AgentStatus.CpuMax.SCHEDULER_POD_CEILINGS,
                scheduler, kernel);
    }

    private void publish(AgentStatus st) {
        status = st;
        try {
            onStatus.accept(st);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "status listener failed", e);
        }
    }

    private void retryLater() {
        synchronized (queue) {
            if (retryScheduled || closed) return;
            retryScheduled = true;
        }
        timers.schedule(() -> {
            synchronized (queue) {
                retryScheduled = false;
            }
            signal("cgroup-retry");
        }, pacing.cgroupRetry().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the loop. The scheduler is the supervisor's to release (the agent closes it next). */
    @Override
    public void close() {
        Thread w;
        synchronized (queue) {
            closed = true;
            queue.notifyAll();
            w = worker;
        }
        timers.shutdownNow();
        statsTimer.shutdownNow();
        if (w != null) {
            try {
                w.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
