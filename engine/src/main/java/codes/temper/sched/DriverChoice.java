package codes.temper.sched;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Picks the driver for this host: the BPF driver where a scheduler can really be loaded, else the
 * dry-run driver with the first reason it cannot. An agent that silently did nothing would be
 * worse than one that refuses, so the dry run says why in its log, status and metrics.
 *
 * @param driver the chosen driver
 * @param why    for a dry run, why the BPF driver was not chosen; empty for BPF
 */
public record DriverChoice(SchedulerDriver driver, Optional<String> why) {

    /** {@code --driver}: auto picks; bpf refuses to start without a kernel scheduler. */
    public enum Mode { AUTO, BPF, DRY_RUN }

    /**
     * What the choice looks at; the paths are parameters so tests can build a host.
     *
     * @param kernelOps the kernel's {@code struct sched_ext_ops} members ({@link CpuMaxProbe}); empty when unknown
     */
    public record Host(Path sysfs, Path procStatus, BooleanSupplier libbpf, Optional<BpfObject> object, List<String> kernelOps) {
        public Host(Path sysfs, Path procStatus, BooleanSupplier libbpf, Optional<BpfObject> object) {
            this(sysfs, procStatus, libbpf, object, List.of());
        }

        public static Host local(Optional<BpfObject> object, List<String> kernelOps) {
            return new Host(SchedExtSysfs.DEFAULT_ROOT, Path.of("/proc/self/status"), BpfScheduler::libbpfAvailable, object, kernelOps);
        }
    }

    // include/uapi/linux/capability.h
    private static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    public static DriverChoice choose(Mode mode, Host host) {
        if (mode == Mode.DRY_RUN) return dryRun("--driver dry-run was requested");
        Optional<String> missing = missing(host);
        if (missing.isEmpty()) return new DriverChoice(new BpfDriver(host.object().orElseThrow(), new SchedExtSysfs(host.sysfs()), host.kernelOps()), Optional.empty());
        if (mode == Mode.BPF) throw new IllegalStateException("--driver bpf: " + missing.get());
        return dryRun(missing.get());
    }

    private static DriverChoice dryRun(String why) {
        return new DriverChoice(new DryRunDriver(why), Optional.of(why));
    }

    /** The first thing that keeps a scheduler from loading here, or empty. */
    static Optional<String> missing(Host host) {
        if (!Files.isRegularFile(host.sysfs().resolve("state"))) {
            return Optional.of("this kernel has no sched_ext (" + host.sysfs().resolve("state") + " is missing; it needs CONFIG_SCHED_CLASS_EXT=y)");
        }
        if (!host.libbpf().getAsBoolean()) return Optional.of("libbpf.so.1 (>= 1.2) is not installed");
        if (host.object().isEmpty()) return Optional.of("this build carries no scheduler object (bpf/build.sh did not run before packaging)");
        Optional<BigInteger> caps = effectiveCapabilities(host.procStatus());
        if (caps.isEmpty()) return Optional.of("cannot read the process's capabilities from " + host.procStatus());
        // Measured in the kernel lab (docs/permissions.md, the capability trial): CAP_BPF alone
        // fails to load the scheduler (EPERM: struct_ops programs also need CAP_PERFMON);
        // CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN alone, loads and attaches it.
        BigInteger c = caps.get();
        if (!c.testBit(CAP_SYS_ADMIN) && !(c.testBit(CAP_BPF) && c.testBit(CAP_PERFMON))) {
            return Optional.of("the process has neither CAP_BPF with CAP_PERFMON nor CAP_SYS_ADMIN (the chart adds BPF and PERFMON;"
                    + " see docs/permissions.md)");
        }
        return Optional.empty();
    }

    /** CapEff from /proc/self/status: a hexadecimal bit set. */
    static Optional<BigInteger> effectiveCapabilities(Path procStatus) {
        try {
            for (String line : Files.readAllLines(procStatus)) {
                if (line.startsWith("CapEff:")) return Optional.of(new BigInteger(line.substring(7).trim(), 16));
            }
        } catch (IOException | NumberFormatException e) {
            // reported by the caller as unreadable
        }
        return Optional.empty();
    }
}
