package codes.temper.sched;

import java.util.Map;

/**
 * Drives the real scheduler: loads the object on first apply, writes only the map entries that
 * changed, attaches once. Safe mode destroys the link and closes the object, so re-engaging loads
 * a fresh copy: the rare restart pays the load, pod churn never does.
 */
public final class BpfDriver implements SchedulerDriver {
    private static final System.Logger LOG = System.getLogger(BpfDriver.class.getName());

    private final BpfObject object;
    private final SchedExtSysfs sysfs;
    private final java.util.function.Supplier<int[]> llcOfCpu;
    private final java.util.List<String> kernelOps;
    private java.util.List<String> droppedOps = java.util.List.of();
    private BpfScheduler scheduler;
    private SchedulerConfig applied = SchedulerConfig.EMPTY;
    private ExitInfo lastExit = ExitInfo.NONE;
    private SchedExtState atAttach = SchedExtState.ABSENT;

    /**
     * @param kernelOps the running kernel's {@code struct sched_ext_ops} members (its BTF), so the
     *                  object's callbacks the kernel lacks are left out before the load; empty when
     *                  unknown (the object is loaded as built)
     */
    public BpfDriver(BpfObject object, SchedExtSysfs sysfs, java.util.List<String> kernelOps) {
        this(object, sysfs, () -> CpuTopology.llcOfCpus(CpuTopology.SYSFS), kernelOps);
    }

    /** @param llcOfCpu the cpu_llc contents, read once per load (CPUs do not change cache) */
    BpfDriver(BpfObject object, SchedExtSysfs sysfs, java.util.function.Supplier<int[]> llcOfCpu, java.util.List<String> kernelOps) {
        this.object = object;
        this.sysfs = sysfs;
        this.llcOfCpu = llcOfCpu;
        this.kernelOps = java.util.List.copyOf(kernelOps);
    }

    /** The scheduler callbacks left out of the last load because this kernel lacks them. */
    public java.util.List<String> droppedOps() {
        return droppedOps;
    }

    @Override
    public String kind() {
        return "bpf";
    }

    @Override
    public ApplyResult apply(SchedulerConfig desired) throws BpfException {
        long t0 = System.nanoTime();
        if (scheduler == null) {
            BpfScheduler s = BpfScheduler.open(object);
            try {
                java.util.List<String> dropped = s.dropMissingOps(kernelOps);
                if (!dropped.equals(droppedOps)) {
                    LOG.log(System.Logger.Level.INFO, "this kernel's sched_ext has no {0}: left out of the scheduler", String.join(", ", dropped));
                }
                droppedOps = dropped;
                s.load();
                s.writeCpuLlc(llcOfCpu.get());
            } catch (BpfException | RuntimeException e) {
                s.close();
                throw e;
            }
            scheduler = s;
            applied = SchedulerConfig.EMPTY;
        }
        ConfigDiff diff = ConfigDiff.between(applied, desired);
        // Order keeps every intermediate state sane: new tiers exist before pods move into them,
        // and a tier is disabled only after its pods have left (a pod in a disabled tier would run
        // as a system task, i.e. ahead of its rank). The config follows the new tiers, so its
        // default tier is always enabled; on the first apply it is written before attach.
        for (Map.Entry<Integer, TierConfig> t : diff.tiers().entrySet()) {
            if (t.getValue().enabled()) scheduler.writeTier(t.getKey(), t.getValue());
        }
        if (diff.node().isPresent()) scheduler.writeConfig(diff.node().get());
        scheduler.mapPods(diff.upsert());
        scheduler.unmapPods(diff.remove());
        for (Map.Entry<Integer, TierConfig> t : diff.tiers().entrySet()) {
            if (!t.getValue().enabled()) scheduler.writeTier(t.getKey(), t.getValue());
        }
        applied = desired;
        boolean attaching = !scheduler.attached();
        if (attaching) {
            scheduler.attach();
            atAttach = sysfs.read();
        }
        return new ApplyResult(diff.writes(), attaching, System.nanoTime() - t0);
    }

    @Override
    public void detach() {
        if (scheduler == null) return;
        // Destroying the link runs the kernel's disable work to the end, ops.exit included, so
        // the exit record is complete once detach() returns: read it before closing the maps.
        scheduler.detach();
        try {
            lastExit = scheduler.exitInfo();
        } catch (BpfException e) {
            // The reason is a nicety; detaching must not depend on reading it.
        }
        scheduler.close();
        scheduler = null;
        applied = SchedulerConfig.EMPTY;
    }

    @Override
    public boolean attached() {
        return scheduler != null && scheduler.attached();
    }

    @Override
    public java.util.Optional<Ejection> ejected() {
        if (!attached()) return java.util.Optional.empty();
        ExitInfo exit = exitInfo();
        java.util.Optional<Ejection> e = Ejection.detect(atAttach, sysfs.read(), exit);
        if (e.isPresent() && !exit.schedulerDump().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "the scheduler's part of the kernel's debug dump of the ejection:\n{0}",
                    String.join("\n", exit.schedulerDump()));
        }
        return e;
    }

    /**
     * The tiers' counters, index i for tier i and {@link SchedulerConfig#SYSTEM_TIER} for the system
     * tier; empty while nothing is loaded. One map lookup per slot, no waiting.
     */
    @Override
    public java.util.List<TierStats> stats() throws BpfException {
        if (scheduler == null) return java.util.List.of();
        java.util.List<TierStats> out = new java.util.ArrayList<>();
        for (int i = 0; i <= SchedulerConfig.SYSTEM_TIER; i++) out.add(scheduler.stats(i));
        return out;
    }

    /** The cgroup_bw entry of every mapped pod that has one: one lookup per pod, no waiting. */
    @Override
    public Map<Long, CgroupBandwidth> podBandwidth() throws BpfException {
        if (scheduler == null) return Map.of();
        Map<Long, CgroupBandwidth> out = new java.util.HashMap<>();
        for (Long id : applied.pods().keySet()) scheduler.bandwidth(id).ifPresent(bw -> out.put(id, bw));
        return out;
    }

    @Override
    public SchedExtState kernelState() {
        return sysfs.read();
    }

    @Override
    public ExitInfo exitInfo() {
        if (scheduler == null) return lastExit;
        try {
            return scheduler.exitInfo();
        } catch (BpfException e) {
            return lastExit;
        }
    }

    @Override
    public void close() {
        detach();
    }
}
