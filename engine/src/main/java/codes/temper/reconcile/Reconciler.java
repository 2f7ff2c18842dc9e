package codes.temper.reconcile;

import codes.temper.text.Printable;
import codes.temper.concurrent.Coalescing;
import codes.temper.concurrent.CoalescingLoop;
import codes.temper.concurrent.Daemons;
import codes.temper.rules.Mode;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.sched.SchedulerSupervisor;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The loop: node, pods and policy in; the rules' decision; the scheduler made to hold it; status
 * out. Level-based and idempotent: every pass ({@link ReconcilePass}) reads the whole current view
 * and the driver writes only what differs, so a burst of events, a repeated event or a periodic
 * resync all converge on the same state. Events are coalesced by a {@link CoalescingLoop}: after
 * the first one the loop waits until the stream has been quiet for {@code debounce} (at most
 * {@code maxDelay}), then runs once for all of them.
 *
 * <p>Safe mode does not wait for the loop: {@link #safeMode} stands the scheduler down on the
 * caller's thread (an informer callback, the file watcher, the API) before anything else, and
 * cannot be held up by a Git fetch, a rules evaluation or the API server. A pass that decided to
 * attach just before is vetoed under the supervisor's lock.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Reconciler.class.getName());

    /** How the loop paces itself. */
    /**
     * @param cgroupRetry    the first wait before looking again for pods without a cgroup; it
     *                       doubles while the same pods stay unresolved ({@link CgroupRetry})
     * @param cgroupRetryMax the longest such wait
     * @param stuckAfter     a pass running longer than this makes {@code /healthz} fail
     */
    public record Pacing(Duration debounce, Duration maxDelay, Duration resync, Duration cgroupRetry, Duration cgroupRetryMax,
            Duration stuckAfter) {
        /** A pass normally takes milliseconds; a scheduler load, well under a second. */
        public static final Duration STUCK_AFTER = Duration.ofSeconds(60);
        /** A pod whose cgroup never appears is looked for twice a minute at most once the backoff has grown. */
        public static final Duration CGROUP_RETRY_MAX = Duration.ofSeconds(30);

        /**
         * Pod churn waits up to 2 s to be applied (a new pod runs at the policy's default tier
         * meanwhile: it is below the pods root the scheduler is told of) so that a rollout's
         * thousand events cost a handful of passes; safe mode never waits for this.
         */
        public static final Pacing DEFAULT = new Pacing(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(1));

        public Pacing(Duration debounce, Duration maxDelay, Duration resync, Duration cgroupRetry) {
            this(debounce, maxDelay, resync, cgroupRetry, cgroupRetry.compareTo(CGROUP_RETRY_MAX) > 0 ? cgroupRetry : CGROUP_RETRY_MAX,
                    STUCK_AFTER);
        }
    }

    /** How often the scheduler's counters are sampled for the status and the metrics. */
    public static final Duration STATS_PERIOD = Duration.ofSeconds(5);

    private final World world;
    private final Supplier<Optional<PolicyRevision>> policy;
    private final SchedulerSupervisor supervisor;
    private final SafeModeSignals signals;
    private final Pacing pacing;
    private final Consumer<AgentStatus> onStatus;
    private final AgentMetrics metrics;
    private final StatusReport report;
    private final ReconcilePass pass;
    private final CoalescingLoop loop;
    private final StatsSampler sampler;
    // Its own thread: a sample waits for the supervisor's lock, which a scheduler load holds for a
    // while, and must not hold up the loop meanwhile.
    private final ScheduledExecutorService statsTimer = Daemons.scheduler("temper-stats");
    private volatile AgentStatus status;
    // The mode the log last announced: a change is logged once, by whichever thread publishes it.
    private final Object modeLog = new Object();
    private Mode loggedMode;
    private volatile AgentStatus.SchedulerStats stats;
    private final java.util.concurrent.atomic.AtomicLong passesStarted = new java.util.concurrent.atomic.AtomicLong();
    /** Guards {@link #passesDone}: the number of the latest pass whose status is published. */
    private final Object passes = new Object();
    private long passesDone;

    /**
     * @param cpuMaxProbe what {@link CpuMaxProbe} found on this node's kernel (the agent runs on
     *                    its node); null = infer from the node's kernelVersion, as offline
     */
    public Reconciler(String nodeName, World world, Supplier<Optional<PolicyRevision>> policy, RuleEngine rules, CgroupIds cgroups,
            SchedulerSupervisor supervisor, String dryRunWhy, CpuMaxProbe.Result cpuMaxProbe, SafeModeSignals signals, Pacing pacing,
            Clock clock, AgentMetrics metrics, Consumer<AgentStatus> onStatus) {
        this.world = world;
        this.policy = policy;
        this.supervisor = supervisor;
        this.signals = signals;
        this.pacing = pacing;
        this.metrics = metrics;
        this.onStatus = onStatus;
        this.report = new StatusReport(nodeName, supervisor, dryRunWhy, cpuMaxProbe, clock);
        this.pass = new ReconcilePass(nodeName, rules, cgroups, supervisor, report, cpuMaxProbe, signals, clock, System::nanoTime);
        this.loop = new CoalescingLoop("temper-reconcile", new Coalescing.Pacing(pacing.debounce(), pacing.maxDelay(), pacing.resync()),
                batch -> runPass(batch.trigger(), batch.events()));
        this.status = report.starting();
        this.loggedMode = status.mode();
        this.sampler = new StatsSampler(supervisor, dryRunWhy, clock, System::nanoTime);
        this.stats = sampler.initial();
    }

    /**
     * The last pass's snapshot with the scheduler's counters as last sampled, the safe-mode triggers
     * and the history as of now. Takes no lock the loop or a scheduler load holds.
     */
    public AgentStatus status() {
        return status.withStats(stats).withLoop(loop.stalled(pacing.stuckAfter()).map(why -> new AgentStatus.Loop(false, why))
                .orElse(AgentStatus.Loop.OK)).withSafeModeAndHistory(signals.snapshot(), new AgentStatus.History(pass.recentChanges(),
                        supervisor.recentEvents().stream().map(h -> new AgentStatus.SchedulerEvent(h.at(),
                                h.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), h.message())).toList()));
    }

    /**
     * Samples the scheduler's counters into the status now (the timer does it every
     * {@link #STATS_PERIOD}); never runs on, nor waits for, the reconcile loop.
     */
    public AgentStatus.SchedulerStats sampleStats() {
        AgentStatus.SchedulerStats s = sampler.sample(status.tiers(), pass.podRefs());
        stats = s;
        return s;
    }

    /** Something changed (pods, node, policy, ...): reconcile soon, together with whatever else arrives. */
    public void signal(String trigger) {
        loop.signal(trigger);
        counted(trigger);
    }

    private void counted(String trigger) {
        metrics.reconcileEvent(trigger);
    }

    /**
     * The kill switch. On: the scheduler is detached before this returns. Off: this source's
     * request is withdrawn; if no other source still asks, the next pass re-engages.
     */
    public boolean safeMode(SafeModeSignals.Source source, boolean on, String why) {
        boolean changed = signals.set(source, on, why);
        if (on) supervisor.standDown();
        if (changed) {
            metrics.safeModeTransition(on);
            LOG.log(on ? Level.WARNING : Level.INFO, "safe mode {0} ({1}: {2})", on ? "ON" : "withdrawn", source,
                    Printable.escape(why)); // the API's reason and the annotation's value are the caller's text
            if (on) publish(report.safeMode(status, signals.reasons()));
            else supervisor.reset(); // an operator's release is also a fresh start for the backoff
            // Skips the debounce: an operator's change is applied (and reported) at once.
            loop.signal("safe-mode", true);
            counted("safe-mode");
        }
        return changed;
    }

    /** Passes begun so far: a pass numbered above what this returned began after the call. */
    public long passesStarted() {
        return passesStarted.get();
    }

    /**
     * Waits until a pass that began after {@code passesStarted()} returned {@code seen} has
     * published its status, at most {@code timeout}.
     *
     * @return whether it did
     */
    public boolean awaitPassAfter(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (passes) {
            while (passesDone <= seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                passes.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private void passDone(long n) {
        synchronized (passes) {
            if (n > passesDone) passesDone = n;
            passes.notifyAll();
        }
    }

    /**
     * The node annotation {@code temper.codes/safe-mode-requested} as last seen (null: absent):
     * anything but exactly "false" asks for safe mode. The same test as the rule
     * "safe-mode-requested" (rules/mode.drl), made here too because the kill switch must not wait
     * for a rules evaluation.
     */
    public void safeModeAnnotation(String value) {
        boolean on = value != null && !value.equals("false");
        String why = value == null ? "removed" : value.equals("true") || value.equals("false") ? "\"" + value + "\""
                : "\"" + value + "\" (not true or false; taken as a request)";
        safeMode(SafeModeSignals.Source.ANNOTATION, on, why);
    }

    /** Starts the loop; its first pass waits out the debounce like any event's (see {@link #start(boolean)}). */
    public void start() {
        start(false);
    }

    /**
     * @param worldWhole the world was read whole before the loop started (the agent's snapshot
     *                   files, read in its constructor): the first pass runs at once instead of
     *                   waiting out the debounce, which is there for bursts of events (a cluster's
     *                   informers deliver their first lists just after the loop starts) and here
     *                   would only delay readiness
     */
    public void start(boolean worldWhole) {
        Daemons.every(statsTimer, STATS_PERIOD, this::sampleStats, LOG, Level.WARNING,
                "sampling the scheduler's counters failed; will sample again");
        loop.start("start", worldWhole);
        counted("start");
    }

    private void runPass(String trigger, int events) {
        long n = passesStarted.incrementAndGet();
        try {
            reconcile(trigger, events);
        } catch (RuntimeException e) {
            // Never leave the loop: the node goes to CFS and the next event or resync retries.
            LOG.log(Level.ERROR, "reconcile failed; standing the scheduler down", e);
            publish(pass.failed(e, status.policyRevision()).status());
        } finally {
            passDone(n);
        }
    }

    /** One pass, on the caller's thread: what the loop runs; tests and the CLI call it directly. */
    public AgentStatus reconcileOnce(String trigger, int events) {
        long n = passesStarted.incrementAndGet();
        try {
            return reconcile(trigger, events);
        } finally {
            passDone(n);
        }
    }

    private AgentStatus reconcile(String trigger, int events) {
        ReconcilePass.Outcome o = pass.run(world.view(), policy.get(), trigger, events);
        if (o.decided()) {
            metrics.pass(o.writes(), o.nanos());
        }
        LOG.log(Level.DEBUG, "pass on {0} ({1} event(s)): mode {2}, {3} map write(s), {4} ms", trigger, events, o.status().mode().wire(),
                o.writes(), o.nanos() / 1_000_000);
        o.cgroupRetry().delay(pacing.cgroupRetry(), pacing.cgroupRetryMax()).ifPresent(after -> {
            if (loop.retryAfter("cgroup-retry", after)) counted("cgroup-retry");
        });
        publish(o.status());
        return o.status();
    }

    private void publish(AgentStatus st) {
        status = st;
        logModeChange(st);
        try {
            onStatus.accept(st);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "status listener failed", e);
        }
    }

    /**
     * One line for each change of mode, with the reasons: what an operator reads first to learn
     * why a node is on CFS. Safe mode and degraded are warnings (the node is not on its tiers for
     * a reason someone should know); the rest is information.
     */
    private void logModeChange(AgentStatus st) {
        Mode from;
        synchronized (modeLog) {
            from = loggedMode;
            if (from == st.mode()) return;
            loggedMode = st.mode();
        }
        Level level = st.mode() == Mode.SAFE_MODE || st.mode() == Mode.DEGRADED ? Level.WARNING : Level.INFO;
        LOG.log(level, "mode {0} -> {1}: {2}", from.wire(), st.mode().wire(),
                st.reasons().isEmpty() ? "(no reason given)" : String.join("; ", st.reasons()));
    }

    /** Stops the loop. The scheduler is the supervisor's to release (the agent closes it next). */
    @Override
    public void close() {
        loop.close(Duration.ofSeconds(5));
        statsTimer.shutdownNow();
    }
}
