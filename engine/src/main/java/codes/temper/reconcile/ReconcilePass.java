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
     * @param retryCgroups some pods had no cgroup yet: run again soon
     * @param decided      the rules decided (false: the node was stood down before deciding)
     * @param writes       map entries written
     * @param nanos        how long the decided pass took
     */
    record Outcome(AgentStatus status, boolean retryCgroups, boolean decided, int writes, long nanos) {
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
    // The mapped pods as the last attaching pass named them, for the throttling figures.
    private volatile Map<Long, StatsSampler.PodRef> podRefs = Map.of();
    // The policy's default tier, asked of the rules once per policy and node.
    private PolicySet defaultTierPolicy;
    private NodeFact defaultTierNode;
    private OptionalInt defaultTier = OptionalInt.empty();

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

    synchronized Outcome run(WorldView view, Optional<PolicyRevision> pol, String trigger, int events) {
        long t0 = nanoTime.getAsLong();
        String revision = pol.map(PolicyRevision::revision).orElse(null);
        if (!view.synced()) return standDown("waiting for the first listing of the node and its pods", revision);
        if (pol.isEmpty()) return standDown("no policy loaded yet", null);
        if (!view.nodeSeen()) return standDown("node " + nodeName + " not found", revision);
        Optional<NodeFact> nodeFact = view.node().map(n -> cpuMaxProbe == null ? n : n.withCpuMax(StatusReport.support(cpuMaxProbe)));
        if (nodeFact.isEmpty()) return standDown("node " + nodeName + " reports no allocatable CPU", revision);
        report.cpuMaxSupport(nodeFact.get().cpuMax());
        Decision decision = rules.evaluate(pol.get().policy(), nodeFact.get(), view.pods());
        long evaluated = nanoTime.getAsLong();

        List<String> reasons = new ArrayList<>(decision.mode().reasons());
        view.problem().ifPresent(p -> reasons.add("view may be stale: " + p));
        Mode mode = decision.mode().mode();
        int writes = 0;
        boolean attached = false;
        boolean retry = false;
        if (safeMode.requested()) {
            supervisor.standDown();
            mode = Mode.SAFE_MODE;
            reasons.addAll(0, safeMode.reasons());
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
            if (safeMode.requested()) mode = Mode.SAFE_MODE;
            var applied = supervisor.status().lastApply();
            if (phase == SchedulerSupervisor.Phase.ATTACHED && applied.isPresent()) {
                writes = applied.get().writes();
                attached = applied.get().attached();
            }
            List<String> unresolved = desired.unresolvedPods();
            if (!unresolved.isEmpty()) {
                reasons.add(unresolved.size() + " pod(s) without a cgroup yet, retrying: "
                        + String.join(", ", unresolved.subList(0, Math.min(5, unresolved.size()))));
                retry = true;
            }
        }
        long done = nanoTime.getAsLong();
        lastReconfiguration = new AgentStatus.Reconfiguration(clock.instant(), trigger, events, (evaluated - t0) / 1e6,
                (done - evaluated) / 1e6, writes, attached);
        return new Outcome(report.decided(mode, reasons, revision, decision, lastReconfiguration), retry, true, writes, done - t0);
    }

    /** A pass that threw: the node goes to CFS; the next event or resync tries again. */
    synchronized Outcome failed(RuntimeException e, String revision) {
        return standDown("reconcile failed: " + e, revision);
    }

    private Outcome standDown(String why, String revision) {
        supervisor.standDown();
        return new Outcome(report.degraded(why, revision, lastReconfiguration), false, false, 0, 0);
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
