package codes.temper.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.rules.Mode;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.EjectionBackoff;
import codes.temper.sched.PodConfig;
import codes.temper.sched.SchedulerSupervisor;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's answer through one reconcile pass: the rules' fact, the pod ceilings the scheduler
 * is given, and what the status says holds cpu.max. On the example node and pods (a dry run).
 */
class ReconcilerCpuMaxTest {
    static final Path EXAMPLES = Path.of("../policies/examples");
    static final CpuMaxProbe.Result YES = new CpuMaxProbe.Result(CpuMaxProbe.Answer.YES, "cgroup_set_bandwidth");
    static final CpuMaxProbe.Result NO = new CpuMaxProbe.Result(CpuMaxProbe.Answer.NO, "sched_ext_ops has no cgroup_set_bandwidth");
    static final CpuMaxProbe.Result UNKNOWN = new CpuMaxProbe.Result(CpuMaxProbe.Answer.UNKNOWN, "no kernel BTF at /sys/kernel/btf/vmlinux");

    @TempDir Path cg;

    record Pass(AgentStatus status, Map<Long, PodConfig> pods, Map<Long, Long> limitById) {
    }

    Pass pass(CpuMaxProbe.Result probe, Map<String, String> extraLabels) throws Exception {
        Node node = Snapshots.readNode(EXAMPLES.resolve("node.yaml"));
        if (!extraLabels.isEmpty()) node = new NodeBuilder(node).editMetadata().addToLabels(extraLabels).endMetadata().build();
        List<Pod> pods = Snapshots.readPods(EXAMPLES.resolve("pods.yaml"));
        Map<Long, Long> limits = new HashMap<>();
        for (Pod p : pods) {
            var f = PodFacts.of(p, CgroupDriver.SYSTEMD);
            Path dir = Files.createDirectories(cg.resolve(f.cgroup()));
            limits.put(((Number) Files.getAttribute(dir, "unix:ino")).longValue(), f.cpuLimitMillis());
        }
        Node n = node;
        World world = () -> new WorldView(true, true, NodeFacts.of(n), pods.stream().map(p -> PodFacts.of(p, CgroupDriver.SYSTEMD)).toList(),
                CgroupDriver.SYSTEMD.podsRoot(), Optional.empty());
        var policy = new PolicyParser().parse(PolicyDirectory.read(Path.of("../policies")));
        DryRunDriver driver = new DryRunDriver("test");
        SchedulerSupervisor supervisor = new SchedulerSupervisor(driver, EjectionBackoff.defaults(), Clock.systemUTC(), e -> { });
        try (Reconciler r = new Reconciler("node-a", world, () -> Optional.of(new PolicyRevision(policy, "test@1")), RuleEngine.get(),
                new CgroupIds(cg), supervisor, "test", probe, new SafeModeSignals(), Reconciler.Pacing.DEFAULT,
                Clock.systemUTC(), new AgentMetrics(new SimpleMeterRegistry()), s -> { })) {
            AgentStatus st = r.reconcileOnce("test", 1);
            return new Pass(st, driver.applied().pods(), limits);
        }
    }

    @Test
    void withoutCgroupSetBandwidthEachPodGetsItsLimitAsCeiling() throws Exception {
        Pass p = pass(NO, Map.of());
        assertThat(p.status().mode()).as("the rules attach; the driver is a dry run").isEqualTo(Mode.DRY_RUN);
        assertThat(p.pods()).isNotEmpty();
        p.pods().forEach((id, pod) -> assertThat(pod.ceilingMillicpus()).as("pod %d", id).isEqualTo(Math.max(0, p.limitById().get(id))));
        assertThat(p.pods().values()).as("the examples have pods with and without limits")
                .anyMatch(c -> c.ceilingMillicpus() > 0).anyMatch(c -> c.ceilingMillicpus() == 0);
        assertThat(p.status().scheduler().cpuMax().mechanism()).as("a dry run holds nothing").isEqualTo("dry-run");
        assertThat(p.status().scheduler().cpuMax().enforcedBy()).contains("pod ceilings from CPU limits");
    }

    @Test
    void anUnknownProbeIsTakenAsNoNeverLessEnforcement() throws Exception {
        Pass p = pass(UNKNOWN, Map.of());
        p.pods().forEach((id, pod) -> assertThat(pod.ceilingMillicpus()).isEqualTo(Math.max(0, p.limitById().get(id))));
        assertThat(p.status().scheduler().cpuMax().kernel()).startsWith("unknown (no kernel BTF");
        // and a strict node stays on CFS
        Pass strict = pass(UNKNOWN, Map.of("temper.codes/cpu-quota", "strict"));
        assertThat(strict.status().mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(strict.status().reasons()).anyMatch(r -> r.contains("could not be probed"));
    }

    @Test
    void withCgroupSetBandwidthNoPodCeilingsAndStrictNodesAttach() throws Exception {
        Pass p = pass(YES, Map.of("temper.codes/cpu-quota", "strict"));
        assertThat(p.status().mode()).as("the rules attach; the driver is a dry run").isEqualTo(Mode.DRY_RUN);
        assertThat(p.status().reasons()).contains("NodePolicy default/strict-cpu-quota does not hold: cpu.max is enforced by the scheduler "
                + "(kernel 6.12.57+deb13-cloud-amd64, cgroup_set_bandwidth)");
        assertThat(p.pods().values()).isNotEmpty().allSatisfy(c -> assertThat(c.ceilingMillicpus()).isZero());
        assertThat(p.status().scheduler().cpuMax().kernel()).isEqualTo("sched_ext passes cpu.max to the scheduler (probed: cgroup_set_bandwidth)");

        Pass no = pass(NO, Map.of("temper.codes/cpu-quota", "strict"));
        assertThat(no.status().mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(no.status().agentStatus()).startsWith("excluded:NodePolicy default/strict-cpu-quota");
    }
}
