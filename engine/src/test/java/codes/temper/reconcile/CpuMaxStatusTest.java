package codes.temper.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.rules.CpuMaxSupport;
import codes.temper.sched.CpuMaxProbe;
import org.junit.jupiter.api.Test;

/** What the status says holds cpu.max, from the kernel's support and the scheduler's state. */
class CpuMaxStatusTest {
    static final CpuMaxSupport YES = CpuMaxSupport.probed(true, "cgroup_set_bandwidth");
    static final CpuMaxSupport NO = CpuMaxSupport.probed(false, "sched_ext_ops has no cgroup_set_bandwidth");

    @Test
    void attachedOn617TheSchedulerHoldsEachCgroupsCpuMax() {
        AgentStatus.CpuMax c = StatusReport.cpuMax(YES, false, true);
        assertThat(c.mechanism()).isEqualTo("scheduler-cgroup");
        assertThat(c.enforcedBy()).isEqualTo("scheduler (cgroup cpu.max via cgroup_set_bandwidth)");
        assertThat(c.kernel()).isEqualTo("sched_ext passes cpu.max to the scheduler (probed: cgroup_set_bandwidth)");
    }

    @Test
    void attachedBefore617ItHoldsPodCeilings() {
        AgentStatus.CpuMax c = StatusReport.cpuMax(NO, false, true);
        assertThat(c.mechanism()).isEqualTo("scheduler-pod-ceilings");
        assertThat(c.enforcedBy()).isEqualTo("scheduler (pod ceilings from CPU limits)");
        assertThat(c.kernel()).contains("does not pass").contains("sched_ext_ops has no cgroup_set_bandwidth");

        AgentStatus.CpuMax unknown = StatusReport.cpuMax(CpuMaxSupport.probeFailed("no kernel BTF at /x"), false, true);
        assertThat(unknown.mechanism()).as("fail-safe").isEqualTo("scheduler-pod-ceilings");
        assertThat(unknown.kernel()).isEqualTo("unknown (no kernel BTF at /x); taken as not passed, so pod ceilings are written");
    }

    @Test
    void notAttachedTheKernelsCfsHoldsIt() {
        AgentStatus.CpuMax c = StatusReport.cpuMax(YES, false, false);
        assertThat(c.mechanism()).isEqualTo("kernel-cfs");
        assertThat(c.enforcedBy()).isEqualTo("kernel CFS (scheduler not attached)");
        assertThat(StatusReport.cpuMax(null, false, false).kernel()).isEqualTo("not known yet");
        assertThat(StatusReport.cpuMax(CpuMaxSupport.inferred(6018), false, false).kernel())
                .isEqualTo("sched_ext passes cpu.max to the scheduler (inferred from kernelVersion)");
    }

    @Test
    void aDryRunSaysSo() {
        AgentStatus.CpuMax c = StatusReport.cpuMax(NO, true, false);
        assertThat(c.mechanism()).isEqualTo("dry-run");
        assertThat(c.enforcedBy()).isEqualTo("kernel CFS (dry run: the scheduler is not loaded; attached, it would be the "
                + "scheduler (pod ceilings from CPU limits))");
    }

    @Test
    void theProbesAnswerBecomesTheRulesFact() {
        assertThat(StatusReport.support(new CpuMaxProbe.Result(CpuMaxProbe.Answer.YES, "cgroup_set_bandwidth"))).isEqualTo(YES);
        assertThat(StatusReport.support(new CpuMaxProbe.Result(CpuMaxProbe.Answer.NO, "sched_ext_ops has no cgroup_set_bandwidth"))).isEqualTo(NO);
        CpuMaxSupport u = StatusReport.support(new CpuMaxProbe.Result(CpuMaxProbe.Answer.UNKNOWN, "malformed BTF: x"));
        assertThat(u.enforced()).isFalse();
        assertThat(u.basis()).isEqualTo(CpuMaxSupport.Basis.PROBE_FAILED);
    }
}
