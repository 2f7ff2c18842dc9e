package codes.temper.reconcile;

import codes.temper.policy.PolicySet;
import codes.temper.rules.Decision;
import codes.temper.rules.Mode;
import codes.temper.rules.NodeFact;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.sched.SchedulerSupervisor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * One reconcile pass: the world's view, the policy and the safe-mode triggers in; the rules'
 * decision made the scheduler's desired configuration, the supervisor told to hold it (it writes
 * only what differs from what is applied) or to stand down, and the status out. No thread, no
 * queue, no clock but the ones it is given: the loop calls it, and unit tests call it pass by pass.
 */
final class ReconcilePass {

    /**
     * What a pass did.
     *
     * @param cgroupRetry which pods had no cgroup yet and for how many passes in a row: the loop
     *                    looks again after {@link CgroupRetry#delay}
     * @param decided     the rules decided (false: the node was stood down before deciding)
     * @param writes      map entries written
     * @param nanos       how long the decided pass took
     */
    record Outcome(AgentStatus status, CgroupRetry cgroupRetry, boolean decided, int writes, long nanos) {
        /** Some pods had no cgroup yet: look again. */
        boolean retryCgroups() {
            return cgroupRetry.attempts() > 0;
        }
    }

    private final String nodeName;
    private final RuleEngine rules;
    private final CgroupIds cgroups;
    private final SchedulerSupervisor supervisor;
    private final StatusReport report;
    private final CpuMaxProbe.Result cpuMaxProbe;
    private final SafeModeState safeMode;
    private final LongSupplier nanoTime;
    private final Clock clock;
    private AgentStatus.Reconfiguration lastReconfiguration;
    /** How many passes that changed something {@link #recentChanges} keeps. */
    static final int RECENT_CHANGES = 10;
    // Replaced whole, read by the status API without the pass's lock.
    private volatile List<AgentStatus.Reconfiguration> recentChanges = List.of();
    // The mapped pods as the last attaching pass named them, for the throttling figures.
    private volatile Map<Long, StatsSampler.PodRef> podRefs = Map.of();
    // The policy's default tier, asked of the rules once per policy and node.
    private PolicySet defaultTierPolicy;
    private NodeFact defaultTierNode;
    private OptionalInt defaultTier = OptionalInt.empty();
    // The pods without a cgroup after the last pass, and for how many passes: the retry's backoff.
    private CgroupRetry cgroupRetry = CgroupRetry.NONE;

    /**
     * @param cpuMaxProbe what {@link CpuMaxProbe} found on this node's kernel (the agent runs on
     *                    its node); null = infer from the node's kernelVersion, as offline
     */
    ReconcilePass(String nodeName, RuleEngine rules, CgroupIds cgroups, SchedulerSupervisor supervisor, StatusReport report,
            CpuMaxProbe.Result cpuMaxProbe, SafeModeState safeMode, Clock clock, LongSupplier nanoTime) {
        this.nodeName = nodeName;
        this.rules = rules;
        this.cgroups = cgroups;
        this.supervisor = supervisor;
        this.report = report;
        this.cpuMaxProbe = cpuMaxProbe;
        this.safeMode = safeMode;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    Map<Long, StatsSampler.PodRef> podRefs() {
        return podRefs;
    }

    /** The last passes that wrote map entries or attached, oldest first. */
    List<AgentStatus.Reconfiguration> recentChanges() {
        return recentChanges;
    }

    synchronized Outcome run(WorldView view, Optional<PolicyRevision> pol, String trigger, int events) {
        long t0 = nanoTime.getAsLong();
        String revision = pol.map(PolicyRevision::revision).orElse(null);
        if (!view.synced()) return standDown(Mode.PENDING, "waiting for the first listing of the node and its pods", revision);
        if (pol.isEmpty()) return standDown(Mode.NO_POLICY, "no policy loaded yet", null);
        if (!view.nodeSeen()) return standDown(Mode.DEGRADED, "node " + nodeName + " not found", revision);
        // The agent runs on its node: what it finds of the kernel and the cgroups is a fact the
        // rules decide on, beside what the Node object says.
        Optional<NodeFact> nodeFact = view.node()
                .map(n -> cpuMaxProbe == null ? n : n.withCpuMax(StatusReport.support(cpuMaxProbe)))
                .map(n -> n.withCgroups(cgroups.hierarchy()));
        if (nodeFact.isEmpty()) return standDown(Mode.DEGRADED, "node " + nodeName + " reports no allocatable CPU", revision);
        report.cpuMaxSupport(nodeFact.get().cpuMax());
        Decision decision = rules.evaluate(pol.get().policy(), nodeFact.get(), view.pods());
        long evaluated = nanoTime.getAsLong();

        List<String> reasons = new ArrayList<>(decision.mode().reasons());
        view.problem().ifPresent(p -> reasons.add(STALE + p));
        Mode mode = decision.mode().mode();
        int writes = 0;
        boolean attached = false;
        List<String> unresolved = List.of();
        if (safeMode.requested()) {
            supervisor.standDown();
            mode = safeModeOver(mode, reasons);
        } else if (mode != Mode.ATTACH) {
            supervisor.standDown();
        } else {
            // Where the kernel does not hand cpu.max to the scheduler (or the probe could not
            // tell), each pod's CPU limit becomes a ceiling the scheduler holds.
            DesiredConfig desired = DesiredConfig.of(decision, cgroups, view.podsRoot(), defaultTier(pol.get(), nodeFact.get()),
                    !nodeFact.get().cpuMax().enforced());
            Map<Long, StatsSampler.PodRef> refs = new HashMap<>();
            desired.mapped().forEach((id, a) -> refs.put(id, new StatsSampler.PodRef(a.pod().key(), a.tier())));
            podRefs = Map.copyOf(refs);
            if (!desired.podsRootFound()) {
                reasons.add("pods root cgroup " + view.podsRoot() + " not found under " + cgroups.root()
                        + ": pods not mapped yet run as system work, not at the default tier");
            }
            // The veto is read again under the supervisor's lock: a kill switch pulled since the
            // check above wins over this pass.
            SchedulerSupervisor.Phase phase = supervisor.engage(desired.config(), safeMode::requested);
            if (safeMode.requested()) {
                mode = safeModeOver(mode, reasons);
            } else {
                var applied = supervisor.status().lastApply();
                if (phase == SchedulerSupervisor.Phase.ATTACHED && applied.isPresent()) {
                    writes = applied.get().writes();
                    attached = applied.get().attached();
                }
                unresolved = desired.unresolvedPods();
                if (!unresolved.isEmpty()) {
                    reasons.add(unresolved.size() + " pod(s) without a cgroup yet, retrying: "
                            + String.join(", ", unresolved.subList(0, Math.min(5, unresolved.size()))));
                }
            }
        }
        // Outside attach nothing is mapped, so nothing is waited for.
        cgroupRetry = cgroupRetry.after(unresolved);
        long done = nanoTime.getAsLong();
        lastReconfiguration = new AgentStatus.Reconfiguration(clock.instant(), trigger, events, (evaluated - t0) / 1e6,
                (done - evaluated) / 1e6, writes, attached);
        if (writes > 0 || attached) {
            List<AgentStatus.Reconfiguration> next = new ArrayList<>(recentChanges);
            next.add(lastReconfiguration);
            recentChanges = List.copyOf(next.subList(Math.max(0, next.size() - RECENT_CHANGES), next.size()));
        }
        return new Outcome(report.decided(mode, reasons, revision, decision, lastReconfiguration), cgroupRetry, true, writes, done - t0);
    }

    /**
     * Safe mode asked for through a local trigger (file, API, annotation seen by the watcher) wins
     * over the rules' decision; its reasons lead. The rules' reasons for attaching ("no exclusion or
     * safe-mode request applies") are not true of a node in safe mode, so they go; the reasons of
     * another decision (excluded, unsupported) stay true and stay.
     */
    private Mode safeModeOver(Mode decided, List<String> reasons) {
        if (decided == Mode.ATTACH) reasons.removeIf(r -> !r.startsWith(STALE));
        reasons.addAll(0, safeMode.reasons());
        return Mode.SAFE_MODE;
    }

    private static final String STALE = "view may be stale: ";

    /** A pass that threw: the node goes to CFS; the next event or resync tries again. */
    synchronized Outcome failed(RuntimeException e, String revision) {
        return standDown(Mode.DEGRADED, "reconcile failed: " + e, revision);
    }

    private Outcome standDown(Mode mode, String why, String revision) {
        supervisor.standDown();
        cgroupRetry = CgroupRetry.NONE;
        return new Outcome(report.notDecided(mode, why, revision, lastReconfiguration), CgroupRetry.NONE, false, 0, 0);
    }

    private OptionalInt defaultTier(PolicyRevision pol, NodeFact node) {
        if (pol.policy() != defaultTierPolicy || !node.equals(defaultTierNode)) {
            defaultTier = DefaultTier.of(rules, pol.policy(), node);
            defaultTierPolicy = pol.policy();
            defaultTierNode = node;
        }
        return defaultTier;
    }
}
