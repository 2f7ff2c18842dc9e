package codes.temper.reconcile;

import codes.temper.rules.CpuMaxSupport;
import codes.temper.rules.Decision;
import codes.temper.rules.Mode;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.SchedulerSupervisor;
import java.time.Clock;
import java.util.List;

/**
 * Makes the {@link AgentStatus} snapshots: from a pass's outcome, for a node left on CFS, and for
 * safe mode. The scheduler's part is read from the supervisor at the moment the snapshot is made,
 * so the snapshot never claims a phase the supervisor has left.
 */
final class StatusReport {
    /** The scheduler phase a dry run reports where a real driver would be ATTACHED. */
    static final String PHASE_DRY_RUN = "DRY_RUN";
    private final String nodeName;
    private final SchedulerSupervisor supervisor;
    private final String dryRunWhy;
    private final Clock clock;
    // What the last pass knew of the kernel and cpu.max; null before the first.
    private volatile CpuMaxSupport cpuMaxSupport;

    StatusReport(String nodeName, SchedulerSupervisor supervisor, String dryRunWhy, CpuMaxProbe.Result cpuMaxProbe, Clock clock) {
        this.nodeName = nodeName;
        this.supervisor = supervisor;
        this.dryRunWhy = dryRunWhy;
        this.clock = clock;
        this.cpuMaxSupport = cpuMaxProbe == null ? null : support(cpuMaxProbe);
    }

    void cpuMaxSupport(CpuMaxSupport c) {
        cpuMaxSupport = c;
    }

    /** Before the first pass: nothing applied, the node on CFS. */
    AgentStatus starting() {
        return new AgentStatus(nodeName, Mode.PENDING, "degraded:starting", List.of("starting: nothing applied yet"),
                null, false, List.of(), scheduler(), null, clock.instant());
    }

    /**
     * The node left on CFS because the agent has nothing to decide by or cannot decide: pending
     * (no listing yet), no-policy, degraded (no node, a failing pass). Never safe-mode: that is
     * an operator's request, and saying so when none was made would hide the real cause. The
     * annotation keeps DESIGN.md's {@code degraded:<reason>} for all three.
     */
    AgentStatus notDecided(Mode mode, String why, String revision, AgentStatus.Reconfiguration last) {
        if (mode.decided()) throw new IllegalArgumentException(mode + " is a decision");
        return new AgentStatus(nodeName, mode, "degraded:" + why, List.of(why), revision, false,
                List.of(), scheduler(), last, clock.instant());
    }

    /** Safe mode as the kill switch reports it, before the loop has run: the rest as it was. */
    AgentStatus safeMode(AgentStatus was, List<String> reasons) {
        return new AgentStatus(nodeName, Mode.SAFE_MODE, "safe-mode", reasons, was.policyRevision(), was.ready(),
                was.tiers(), scheduler(), was.lastReconfiguration(), clock.instant()).withPods(was.pods());
    }

    /** A pass that decided: its mode and reasons, the tiers, and where the scheduler stands now. */
    AgentStatus decided(Mode mode, List<String> reasons, String revision, Decision decision, AgentStatus.Reconfiguration last) {
        if (mode == Mode.ATTACH && dryRunHolding()) {
            // The rules said attach and the dry-run driver "holds" the configuration: nothing is
            // loaded and the node runs CFS. Reported as what it is, never as attached.
            mode = Mode.DRY_RUN;
            List<String> r = new java.util.ArrayList<>(reasons.size() + 1);
            r.add(dryRunReason());
            r.addAll(reasons);
            reasons = r;
        }
        return new AgentStatus(nodeName, mode, agentStatus(mode, reasons), reasons, revision, true,
                tiers(decision), scheduler(), last, clock.instant()).withPods(pods(decision));
    }

    private static List<AgentStatus.Pod> pods(Decision d) {
        return d.assignments().stream().map(a -> new AgentStatus.Pod(a.pod().namespace(), a.pod().name(), a.tier(), a.rule(),
                a.because(), a.pod().qosClass() == null ? null : a.pod().qosClass().name(), a.pod().priority())).toList();
    }

    private String dryRunReason() {
        return "dry run" + (dryRunWhy == null ? "" : ": " + dryRunWhy) + "; no scheduler is loaded, the node runs CFS";
    }

    /** The dry-run driver, in the phase where a real driver would be attached. */
    private boolean dryRunHolding() {
        var s = supervisor.status();
        return DryRunDriver.KIND.equals(s.driver()) && s.phase() == SchedulerSupervisor.Phase.ATTACHED;
    }

    private String agentStatus(Mode mode, List<String> reasons) {
        String first = reasons.isEmpty() ? "" : reasons.getFirst();
        return switch (mode) {
            case DRY_RUN -> "dry-run:" + (dryRunWhy == null ? "requested" : dryRunWhy);
            case PENDING, NO_POLICY, DEGRADED -> "degraded:" + first;
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
                t.ceiling() == null ? null : t.ceiling().source(), t.pods(),
                t.floor() == null ? null : Math.round(t.floor().cpus() * 10_000) / 10_000.0)).toList();
    }

    AgentStatus.Scheduler scheduler() {
        var s = supervisor.status();
        boolean dryRun = DryRunDriver.KIND.equals(s.driver());
        // A dry run that "holds" a configuration has loaded nothing: its phase is not ATTACHED.
        String phase = dryRun && s.phase() == SchedulerSupervisor.Phase.ATTACHED ? PHASE_DRY_RUN : s.phase().name();
        return new AgentStatus.Scheduler(s.driver(), dryRunWhy, phase, s.kernel().state(), s.kernel().ops(),
                s.kernel().enableSeq(), s.lastFailure().orElse(null), s.retryAt().orElse(null),
                cpuMax(cpuMaxSupport, dryRun, !dryRun && s.phase() == SchedulerSupervisor.Phase.ATTACHED));
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
}
