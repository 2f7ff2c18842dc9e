package codes.temper.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.QosClass;
import codes.temper.rules.Mode;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.EjectionBackoff;
import codes.temper.sched.ExitInfo;
import codes.temper.sched.SchedExtState;
import codes.temper.sched.SchedulerConfig;
import codes.temper.sched.SchedulerDriver;
import codes.temper.sched.SchedulerSupervisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconcile pass on its own, pass by pass: no loop, no thread, no sleep. A fixed clock and a
 * counting nanoTime make its report exact; the supervisor drives a dry-run driver, which records
 * what it would have written, so "applied" is what the driver holds.
 */
class ReconcilePassTest {
    static final Instant NOW = Instant.parse("2026-11-27T10:15:30Z");
    static final NodeFact NODE = new NodeFact("node-a", Map.of(), null, "6.12.57+deb13-cloud-amd64", 6012, 8000);
    static final String ROOT = "kubepods.slice";
    static PolicyRevision policy;

    @TempDir Path cgroupRoot;
    final SafeModeSignals signals = new SafeModeSignals();
    DryRunDriver driver;
    SchedulerSupervisor supervisor;
    ReconcilePass pass;

    @BeforeAll
    static void loadPolicy() throws Exception {
        PolicySet set = new PolicyParser().parse(PolicyDirectory.read(Path.of("../policies")));
        policy = new PolicyRevision(set, "main@sha1:" + "0".repeat(40));
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(cgroupRoot.resolve(ROOT));
        driver = new DryRunDriver("test");
        pass = passOver(driver, signals);
    }

    ReconcilePass passOver(SchedulerDriver d, SafeModeState safeMode) {
        supervisor = new SchedulerSupervisor(d, EjectionBackoff.defaults(), Clock.fixed(NOW, ZoneOffset.UTC), e -> { });
        AtomicLong nanos = new AtomicLong();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new ReconcilePass("node-a", RuleEngine.get(), new CgroupIds(cgroupRoot), supervisor,
                new StatusReport("node-a", supervisor, "test", null, clock), null, safeMode, clock, () -> nanos.addAndGet(1_000_000));
    }

    static PodFact pod(String name, long priority) {
        return new PodFact("uid-" + name, "ns", name, "node-a", "Running", QosClass.Burstable, priority, false, null, null, -1, 500,
                ROOT + "/kubepods-burstable.slice/kubepods-burstable-pod" + name + ".slice", false);
    }

    static WorldView view(PodFact... pods) {
        return new WorldView(true, true, Optional.of(NODE), List.of(pods), ROOT, Optional.empty());
    }

    long cgroup(PodFact p) throws Exception {
        return ((Number) Files.getAttribute(Files.createDirectories(cgroupRoot.resolve(p.cgroup())), "unix:ino")).longValue();
    }

    /** A first pass that attached with {@code p} mapped. */
    PodFact attachedWith(PodFact p) throws Exception {
        cgroup(p);
        run(view(p));
        assertThat(driver.attached()).isTrue();
        return p;
    }

    ReconcilePass.Outcome run(WorldView v) {
        return pass.run(v, Optional.of(policy), "test", 1);
    }

    @Test
    void desiredVsAppliedOnlyTheDifferenceIsWritten() throws Exception {
        PodFact web = pod("web", 0), batch = pod("batch", 0);
        long webId = cgroup(web), batchId = cgroup(batch);

        ReconcilePass.Outcome first = run(view(web, batch));
        assertThat(first.status().agentStatus()).as("a dry run is never reported attached").isEqualTo("dry-run:test");
        assertThat(first.status().lastReconfiguration().attached()).isTrue();
        assertThat(first.writes()).isPositive();
        assertThat(driver.applied().pods()).containsOnlyKeys(webId, batchId);
        assertThat(driver.applied().pods().get(webId).tier()).as("normal").isEqualTo(2);
        assertThat(first.status().lastReconfiguration()).isEqualTo(
                new AgentStatus.Reconfiguration(NOW, "test", 1, 1.0, 1.0, first.writes(), true));

        ReconcilePass.Outcome same = run(view(web, batch));
        assertThat(same.writes()).as("nothing changed, nothing written").isZero();
        assertThat(same.status().lastReconfiguration().attached()).isFalse();

        PodFact promoted = pod("web", 1_000_000);
        ReconcilePass.Outcome moved = run(view(promoted, batch));
        assertThat(moved.writes()).as("one pod entry").isEqualTo(1);
        assertThat(driver.applied().pods().get(webId).tier()).as("critical").isZero();

        ReconcilePass.Outcome gone = run(view(promoted));
        assertThat(gone.writes()).as("one removal").isEqualTo(1);
        assertThat(driver.applied().pods()).containsOnlyKeys(webId);
        assertThat(gone.status().tiers()).extracting(AgentStatus.Tier::name)
                .containsExactly("critical", "high", "normal", "low", "background");
    }

    @Test
    void aSafeModeRequestStandsTheSchedulerDownAndLeadsTheReasons() throws Exception {
        PodFact web = attachedWith(pod("web", 0));

        signals.set(SafeModeSignals.Source.FILE, true, "/run/temper/safe-mode exists");
        ReconcilePass.Outcome o = run(view(web));
        assertThat(driver.attached()).isFalse();
        assertThat(o.status().mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(o.status().agentStatus()).isEqualTo("safe-mode");
        assertThat(o.status().reasons().getFirst()).isEqualTo("safe-mode file: /run/temper/safe-mode exists");
        assertThat(o.status().ready()).as("the decision (stand down) was applied").isTrue();
    }

    @Test
    void aKillSwitchPulledAfterTheDecisionVetoesTheAttach() throws Exception {
        PodFact web = pod("web", 0);
        cgroup(web);
        // Not requested when the pass looks, requested by the time it engages: the veto the
        // supervisor reads under its lock.
        AtomicInteger asked = new AtomicInteger();
        SafeModeState pulledMidPass = new SafeModeState() {
            @Override
            public boolean requested() {
                return asked.incrementAndGet() > 1;
            }

            @Override
            public List<String> reasons() {
                return List.of("POST /safe-mode: ops");
            }
        };
        DryRunDriver d = new DryRunDriver("test");
        pass = passOver(d, pulledMidPass);
        ReconcilePass.Outcome o = run(view(web));
        assertThat(d.history()).as("never applied").isEmpty();
        assertThat(d.attached()).isFalse();
        assertThat(o.status().mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(o.writes()).isZero();
        assertThat(supervisor.status().phase()).isEqualTo(SchedulerSupervisor.Phase.DETACHED);
    }

    @Test
    void withoutAViewAPolicyOrANodeTheNodeStaysOnCfsInItsOwnStateNeverSafeMode() throws Exception {
        PodFact web = attachedWith(pod("web", 0));

        var unsynced = new WorldView(false, false, Optional.empty(), List.of(), ROOT, Optional.empty());
        assertDegraded(run(unsynced), "pending", "degraded:waiting for the first listing of the node and its pods");
        assertDegraded(pass.run(view(web), Optional.empty(), "test", 1), "no-policy", "degraded:no policy loaded yet");
        var noNode = new WorldView(true, false, Optional.empty(), List.of(web), ROOT, Optional.empty());
        assertDegraded(run(noNode), "degraded", "degraded:node node-a not found");
        var noCpu = new WorldView(true, true, Optional.empty(), List.of(web), ROOT, Optional.empty());
        assertDegraded(run(noCpu), "degraded", "degraded:node node-a reports no allocatable CPU");
        assertDegraded(pass.failed(new IllegalStateException("boom"), null), "degraded",
                "degraded:reconcile failed: java.lang.IllegalStateException: boom");
    }

    void assertDegraded(ReconcilePass.Outcome o, String mode, String agentStatus) {
        assertThat(o.status().agentStatus()).isEqualTo(agentStatus);
        assertThat(o.status().mode().wire()).isEqualTo(mode);
        assertThat(o.status().ready()).isFalse();
        assertThat(o.decided()).isFalse();
        assertThat(driver.attached()).as("stood down").isFalse();
        assertThat(o.status().scheduler().phase()).as("the snapshot is taken after standing down").isEqualTo("DETACHED");
    }

    @Test
    void aSchedulerThatFailsToAttachIsReportedDegradedWithItsReason() throws Exception {
        PodFact web = pod("web", 0);
        cgroup(web);
        pass = passOver(new FailingDriver(), signals);
        ReconcilePass.Outcome o = run(view(web));
        assertThat(o.status().mode()).as("the rules still say attach").isEqualTo(Mode.ATTACH);
        assertThat(o.status().agentStatus()).isEqualTo("degraded:scheduler failed, retrying: attach failed: EPERM");
        assertThat(o.status().scheduler().phase()).isEqualTo("BACKOFF");
    }

    @Test
    void aPodWithoutACgroupYetIsRetriedAndMappedOnceItsCgroupExists() throws Exception {
        PodFact web = pod("web", 0), late = pod("late", 0);
        long webId = cgroup(web);

        ReconcilePass.Outcome first = run(view(web, late));
        assertThat(first.retryCgroups()).isTrue();
        assertThat(first.status().reasons()).contains("1 pod(s) without a cgroup yet, retrying: ns/late");
        assertThat(driver.applied().pods()).containsOnlyKeys(webId);

        long lateId = cgroup(late);
        ReconcilePass.Outcome retried = run(view(web, late));
        assertThat(retried.retryCgroups()).isFalse();
        assertThat(retried.writes()).isEqualTo(1);
        assertThat(driver.applied().pods()).containsOnlyKeys(webId, lateId);
        assertThat(retried.status().reasons()).noneMatch(r -> r.contains("without a cgroup"));
    }

    @Test
    void aStaleViewIsDecidedOnAndSaysSo() throws Exception {
        PodFact web = pod("web", 0);
        cgroup(web);
        var stale = new WorldView(true, true, Optional.of(NODE), List.of(web), ROOT, Optional.of("not watching the API server"));
        assertThat(run(stale).status().reasons()).contains("view may be stale: not watching the API server");
        assertThat(driver.attached()).isTrue();
    }

    @Test
    void aDryRunIsReportedAsDryRunWithWhyNeverAsAttached() throws Exception {
        PodFact web = pod("web", 0);
        cgroup(web);
        String why = "this kernel has no sched_ext (/sys/kernel/sched_ext/state is missing; it needs CONFIG_SCHED_CLASS_EXT=y)";
        DryRunDriver d = new DryRunDriver(why);
        supervisor = new SchedulerSupervisor(d, EjectionBackoff.defaults(), Clock.fixed(NOW, ZoneOffset.UTC), e -> { });
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        pass = new ReconcilePass("node-a", RuleEngine.get(), new CgroupIds(cgroupRoot), supervisor,
                new StatusReport("node-a", supervisor, why, null, clock), null, signals, clock, () -> 0L);

        AgentStatus st = run(view(web)).status();
        assertThat(st.mode().wire()).isEqualTo("dry-run");
        assertThat(st.agentStatus()).isEqualTo("dry-run:" + why);
        assertThat(st.reasons().getFirst()).isEqualTo("dry run: " + why + "; no scheduler is loaded, the node runs CFS");
        assertThat(st.reasons()).as("no reason contradicts the first: the rules judge the version, not the kernel's sched_ext")
                .noneMatch(r -> r.contains("has sched_ext"));
        assertThat(st.scheduler().phase()).as("nothing is loaded: not ATTACHED").isEqualTo("DRY_RUN");
        assertThat(st.scheduler().cpuMax().mechanism()).isEqualTo(AgentStatus.CpuMax.DRY_RUN);
        assertThat(st.ready()).as("the decision was applied, as far as a dry run applies anything").isTrue();
    }

    @Test
    void aRealDriverHoldingTheConfigurationIsAttached() throws Exception {
        PodFact web = pod("web", 0);
        cgroup(web);
        pass = passOver(new HoldingDriver(), signals);
        AgentStatus st = run(view(web)).status();
        assertThat(st.mode()).isEqualTo(Mode.ATTACH);
        assertThat(st.agentStatus()).isEqualTo("attached");
        assertThat(st.scheduler().phase()).isEqualTo("ATTACHED");
        assertThat(st.reasons()).noneMatch(r -> r.startsWith("dry run"));
    }

    @Test
    void inSafeModeTheReasonsDoNotSayNoSafeModeRequestApplies() throws Exception {
        PodFact web = attachedWith(pod("web", 0));
        signals.set(SafeModeSignals.Source.API, true, "ops: maintenance");
        AgentStatus st = run(view(web)).status();
        assertThat(st.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(st.reasons()).containsExactly("POST /safe-mode: ops: maintenance");
        assertThat(st.reasons()).noneMatch(r -> r.contains("no exclusion or safe-mode request applies"));
    }

    @Test
    void aCgroupV1NodeIsUnsupportedWithTheReasonAndNothingIsRetried() throws Exception {
        PodFact web = pod("web", 0);
        Files.createDirectories(cgroupRoot.resolve("cpu,cpuacct"));
        Files.writeString(cgroupRoot.resolve("cpu,cpuacct/tasks"), "1\n");

        ReconcilePass.Outcome o = run(view(web));
        assertThat(o.status().mode()).isEqualTo(Mode.UNSUPPORTED);
        assertThat(o.status().agentStatus()).startsWith("unsupported:cgroup v1 at " + cgroupRoot);
        assertThat(o.status().reasons()).singleElement().asString()
                .contains("v1 controller cpu,cpuacct/ mounted there", "every pod would run as system work");
        assertThat(driver.attached()).isFalse();
        assertThat(o.retryCgroups()).as("nothing is mapped on v1, so nothing is waited for").isFalse();

        Files.delete(cgroupRoot.resolve("cpu,cpuacct/tasks"));
        Files.writeString(cgroupRoot.resolve("cgroup.controllers"), "cpu memory pids\n");
        cgroup(web);
        assertThat(run(view(web)).status().mode().wire()).as("cgroup v2: the rules' attach, run dry").isEqualTo("dry-run");
    }

    @Test
    void theCgroupRetryBacksOffWhileTheSamePodsWaitAndStartsAgainWhenTheyChange() throws Exception {
        PodFact web = pod("web", 0), late = pod("late", 0), later = pod("later", 0);
        cgroup(web);
        assertThat(run(view(web, late)).cgroupRetry()).isEqualTo(new CgroupRetry(java.util.Set.of("ns/late"), 1));
        assertThat(run(view(web, late)).cgroupRetry().attempts()).isEqualTo(2);
        assertThat(run(view(web, late)).cgroupRetry().attempts()).isEqualTo(3);
        assertThat(run(view(web, late, later)).cgroupRetry())
                .as("a new pod without a cgroup: looked for soon again")
                .isEqualTo(new CgroupRetry(java.util.Set.of("ns/late", "ns/later"), 1));
        cgroup(late);
        cgroup(later);
        assertThat(run(view(web, late, later)).cgroupRetry()).isEqualTo(CgroupRetry.NONE);
    }

    /** Holds whatever it is given, as the BPF driver does on a kernel that accepts it. */
    static final class HoldingDriver implements SchedulerDriver {
        boolean attached;

        @Override
        public String kind() {
            return "bpf";
        }

        @Override
        public ApplyResult apply(SchedulerConfig desired) {
            boolean attaching = !attached;
            attached = true;
            return new ApplyResult(1, attaching, 0);
        }

        @Override
        public void detach() {
            attached = false;
        }

        @Override
        public boolean attached() {
            return attached;
        }

        @Override
        public SchedExtState kernelState() {
            return SchedExtState.ABSENT;
        }

        @Override
        public ExitInfo exitInfo() {
            return ExitInfo.NONE;
        }

        @Override
        public void close() {
        }
    }

    /** Refuses every attach, as a kernel without the privileges would. */
    static final class FailingDriver implements SchedulerDriver {
        final List<SchedulerConfig> tried = new ArrayList<>();

        @Override
        public String kind() {
            return "bpf";
        }

        @Override
        public ApplyResult apply(SchedulerConfig desired) {
            tried.add(desired);
            throw new IllegalStateException("EPERM");
        }

        @Override
        public void detach() {
        }

        @Override
        public boolean attached() {
            return false;
        }

        @Override
        public SchedExtState kernelState() {
            return SchedExtState.ABSENT;
        }

        @Override
        public ExitInfo exitInfo() {
            return ExitInfo.NONE;
        }

        @Override
        public void close() {
        }
    }
}
