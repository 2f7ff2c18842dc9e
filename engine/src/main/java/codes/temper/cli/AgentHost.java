package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.sched.BpfObject;
import codes.temper.sched.CpuMaxProbe;
import codes.temper.sched.DriverChoice;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the agent learns of the machine it runs on before its loop exists: which scheduler driver
 * can work here, the kubelet's cgroup driver, and whether this kernel's sched_ext passes cgroup
 * cpu.max to the scheduler. In file mode too this is the machine the agent runs on, not the node
 * of the snapshot files.
 */
final class AgentHost {
    private static final Logger LOG = System.getLogger(AgentHost.class.getName());

    private AgentHost() {
    }

    /**
     * BPF where it can load (the object given, else the jar's), else a dry run that says why.
     *
     * @param kernelOps the kernel's sched_ext_ops members ({@link #cpuMax}): the object's callbacks
     *                  the kernel lacks are left out of the load
     */
    static DriverChoice driver(Agent.Options o, java.util.List<String> kernelOps) throws IOException {
        Optional<BpfObject> object = o.bpfObject() != null ? Optional.of(BpfObject.file(o.bpfObject())) : BpfObject.packaged();
        return DriverChoice.choose(o.driver(), DriverChoice.Host.local(object, kernelOps));
    }

    /** --cgroup-driver, else what the cgroup root shows. */
    static CgroupDriver cgroupDriver(Agent.Options o) {
        return o.cgroupDriver() != null ? o.cgroupDriver() : detectCgroupDriver(o.cgroupRoot());
    }

    static CgroupDriver detectCgroupDriver(Path root) {
        if (Files.isDirectory(root.resolve("kubepods"))) return CgroupDriver.CGROUPFS;
        return CgroupDriver.SYSTEMD; // kubelet's default since 1.22, and kubeadm's
    }

    /** The agent runs on its node: its own kernel's BTF says whether sched_ext passes cpu.max. */
    static CpuMaxProbe.Result cpuMax(Agent.Options o) {
        CpuMaxProbe.Result cpuMax = CpuMaxProbe.probe(o.kernelBtf() != null ? o.kernelBtf() : CpuMaxProbe.VMLINUX_BTF);
        LOG.log(Level.INFO, "cpu.max: {0} ({1})", switch (cpuMax.answer()) {
            case YES -> "this kernel passes cgroup cpu.max to the scheduler";
            case NO -> "this kernel does not pass cgroup cpu.max to the scheduler; pod ceilings come from CPU limits";
            case UNKNOWN -> "cannot tell whether this kernel passes cgroup cpu.max to the scheduler; pod ceilings come from CPU limits";
        }, cpuMax.why());
        return cpuMax;
    }
}
