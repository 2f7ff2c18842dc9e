package codes.temper.sched;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The temper scheduler object (bpf/temper.bpf.c) through libbpf: open, load, write tiers and pod
 * mappings, attach, read counters and the exit reason, detach. The struct_ops link lives only in
 * this process and is never pinned, so if the process dies the kernel detaches the scheduler and
 * the node runs CFS again.
 *
 * <p>Not thread-safe: one reconcile loop drives it.
 */
public final class BpfScheduler implements AutoCloseable {
    private static final String OPS_MAP = "temper_ops";
    private static final int ENOENT = 2;

    private final Arena arena;
    private final MemorySegment state;
    private MemorySegment object;
    private MemorySegment link = MemorySegment.NULL;
    private int podTiersFd = -1, tiersFd = -1, statsFd = -1, exitFd = -1, configFd = -1, cpuLlcFd = -1, cgroupBwFd = -1;
    private int cpus;

    private BpfScheduler(Arena arena, MemorySegment state, MemorySegment object) {
        this.arena = arena;
        this.state = state;
        this.object = object;
    }

    /** A downcall; invokeExact declares Throwable, which here only ever means a binding bug. */
    @FunctionalInterface
    private interface Native<T> {
        T call() throws Throwable;
    }

    private static <T> T call(Native<T> c) throws BpfException {
        try {
            return c.call();
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libbpf binding failed: " + t, t);
        }
    }

    public static boolean libbpfAvailable() {
        return LibBpf.available();
    }

    /** Opens (parses) the object file; nothing reaches the kernel yet. */
    public static BpfScheduler open(Path objectFile) throws BpfException {
        Arena arena = Arena.ofShared();
        MemorySegment st = arena.allocate(LibBpf.CALL_STATE);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment obj = call(() -> LibBpf.bpf_object__open_file(st, a.allocateFrom(objectFile.toString()), MemorySegment.NULL));
            if (obj.equals(MemorySegment.NULL)) throw new BpfException("bpf_object__open_file(" + objectFile + ")", LibBpf.errno(st));
            return new BpfScheduler(arena, st, obj);
        } catch (BpfException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Opens an object from memory (the copy packaged in the agent's jar): no file to extract, so
     * nothing on disk that another process could swap between the agent's check and its load.
     * The ELF bytes live in this scheduler's arena because libbpf reads them until load.
     */
    public static BpfScheduler open(BpfObject objectFile) throws BpfException {
        Arena arena = Arena.ofShared();
        MemorySegment st = arena.allocate(LibBpf.CALL_STATE);
        try {
            byte[] elf = objectFile.elf();
            MemorySegment buf = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buf, ValueLayout.JAVA_BYTE, 0, elf.length);
            MemorySegment opts = arena.allocate(LibBpf.OPEN_OPTS);
            opts.set(ValueLayout.JAVA_LONG, 0, LibBpf.OPEN_OPTS.byteSize());
            opts.set(ValueLayout.ADDRESS, 8, arena.allocateFrom(objectFile.name()));
            MemorySegment obj = call(() -> LibBpf.bpf_object__open_mem(st, buf, elf.length, opts));
            if (obj.equals(MemorySegment.NULL)) throw new BpfException("bpf_object__open_mem(" + objectFile.origin() + ")", LibBpf.errno(st));
            return new BpfScheduler(arena, st, obj);
        } catch (BpfException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** True when the object declares a map of that name (checks the object, not the kernel). */
    public boolean hasMap(String name) throws BpfException {
        return !findMap(name).equals(MemorySegment.NULL);
    }

    /**
     * The maps the agent writes and reads, with the value each must hold (bpf/temper.h): an object
     * built from another revision of the header is refused before anything reaches the kernel,
     * rather than written with values of the wrong size.
     */
    static final Map<String, Long> CONTRACT = Map.of(
            "pod_tiers", PodConfig.LAYOUT.byteSize(),
            "tiers", TierConfig.LAYOUT.byteSize(),
            "node_config", NodeConfig.LAYOUT.byteSize(),
            "cpu_llc", 4L,
            "tier_stats", TierStats.LAYOUT.byteSize(),
            "exit_info", ExitInfo.LAYOUT.byteSize(),
            "cgroup_bw", CgroupBandwidth.LAYOUT.byteSize());

    /**
     * How the object's maps differ from {@link #CONTRACT}: one line per missing map or value size
     * that does not match; empty when the object is the one this agent was written against.
     */
    public List<String> contractMismatches() throws BpfException {
        List<String> out = new java.util.ArrayList<>();
        for (String name : new java.util.TreeSet<>(CONTRACT.keySet())) {
            MemorySegment m = findMap(name);
            if (m.equals(MemorySegment.NULL)) {
                out.add("map " + name + " missing");
                continue;
            }
            long size = Integer.toUnsignedLong(call(() -> LibBpf.bpf_map__value_size(state, m)));
            if (size != CONTRACT.get(name)) out.add("map " + name + ": value of " + size + " bytes, the agent's is " + CONTRACT.get(name));
        }
        return out;
    }

    /**
     * Clears, before {@link #load}, each member of the object's {@code struct sched_ext_ops} that
     * the running kernel's lacks (6.12-6.16 have no {@code cgroup_set_bandwidth}): libbpf refuses
     * to load a struct_ops map with a non-zero member the kernel does not have, and leaves a zeroed
     * one out, program included. Nothing is cleared when {@code kernelMembers} is empty (unknown).
     *
     * @return the members cleared, in declaration order
     * @throws BpfException when a member must go but this libbpf (before 1.4) cannot say where the
     *                      struct is: the node stays on CFS and the reason says so
     */
    public List<String> dropMissingOps(java.util.Collection<String> kernelMembers) throws BpfException {
        if (kernelMembers.isEmpty()) return List.of();
        java.util.Set<String> kernel = java.util.Set.copyOf(kernelMembers);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment btf = call(() -> LibBpf.bpf_object__btf(state, object));
            if (btf.equals(MemorySegment.NULL)) throw new BpfException("bpf_object__btf: the object carries no BTF", 22);
            MemorySegment rawSize = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment raw = call(() -> LibBpf.btf__raw_data(state, btf, rawSize));
            if (raw.equals(MemorySegment.NULL)) throw new BpfException("btf__raw_data", LibBpf.errno(state));
            byte[] blob = raw.reinterpret(Integer.toUnsignedLong(rawSize.get(ValueLayout.JAVA_INT, 0))).toArray(ValueLayout.JAVA_BYTE);
            KernelBtf.Struct ops;
            try {
                ops = KernelBtf.parse(blob).struct(CpuMaxProbe.OPS)
                        .orElseThrow(() -> new BpfException("the object declares no struct " + CpuMaxProbe.OPS, 22));
            } catch (KernelBtf.Malformed e) {
                throw new BpfException("reading the object's BTF: " + e.getMessage(), 22);
            }
            List<KernelBtf.Member> members = ops.members();
            List<String> missing = new java.util.ArrayList<>();
            for (KernelBtf.Member m : members) if (!kernel.contains(m.name())) missing.add(m.name());
            if (missing.isEmpty()) return List.of();
            MemorySegment valueSize = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment ops0 = findMap(OPS_MAP);
            MemorySegment data = call(() -> LibBpf.bpf_map__initial_value(state, ops0, valueSize));
            if (data.equals(MemorySegment.NULL)) {
                throw new BpfException("this kernel's " + CpuMaxProbe.OPS + " lacks " + String.join(", ", missing)
                        + ", and this libbpf (before 1.4) cannot leave them out of the scheduler; libbpf 1.4 or newer can", 95);
            }
            long size = Math.min(ops.size(), valueSize.get(ValueLayout.JAVA_LONG, 0));
            return OpsTrim.clear(ops, data.reinterpret(size), kernel);
        }
    }

    /** Loads programs and maps into the kernel: the verifier runs here. */
    public void load() throws BpfException {
        List<String> mismatches = contractMismatches();
        if (!mismatches.isEmpty()) {
            throw new BpfException("checking the object's maps against the agent's bpf/temper.h (" + String.join("; ", mismatches) + ")", 22);
        }
        int rc = call(() -> LibBpf.bpf_object__load(state, object));
        if (rc != 0) throw new BpfException("bpf_object__load", rc < 0 ? -rc : LibBpf.errno(state));
        podTiersFd = mapFd("pod_tiers");
        tiersFd = mapFd("tiers");
        statsFd = mapFd("tier_stats");
        exitFd = mapFd("exit_info");
        configFd = mapFd("node_config");
        cpuLlcFd = mapFd("cpu_llc");
        cgroupBwFd = mapFd("cgroup_bw");
        cpus = call(() -> LibBpf.libbpf_num_possible_cpus(state));
    }

    public void writeTier(int index, TierConfig cfg) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocateFrom(ValueLayout.JAVA_INT, index);
            MemorySegment value = a.allocate(TierConfig.LAYOUT);
            cfg.encode(value);
            update(tiersFd, key, value, "tiers[" + index + "]");
        }
    }

    public void mapPod(long cgroupId, PodConfig pod) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(PodConfig.LAYOUT);
            pod.encode(value, 0);
            update(podTiersFd, a.allocateFrom(ValueLayout.JAVA_LONG, cgroupId), value, "pod_tiers");
        }
    }

    /**
     * Maps many pods with one bpf(BPF_MAP_UPDATE_BATCH) system call instead of one per pod: the
     * agent's reconfiguration cost is dominated by system calls, not by the map.
     */
    public void mapPods(Map<Long, PodConfig> pods) throws BpfException {
        int n = pods.size();
        if (n == 0) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment keys = a.allocate(ValueLayout.JAVA_LONG, n);
            MemorySegment values = a.allocate(PodConfig.LAYOUT, n);
            int i = 0;
            for (Map.Entry<Long, PodConfig> e : pods.entrySet()) {
                keys.setAtIndex(ValueLayout.JAVA_LONG, i, e.getKey());
                e.getValue().encode(values, i * PodConfig.LAYOUT.byteSize());
                i++;
            }
            MemorySegment count = a.allocateFrom(ValueLayout.JAVA_INT, n);
            if (call(() -> LibBpf.bpf_map_update_batch(state, podTiersFd, keys, values, count, MemorySegment.NULL)) != 0) {
                throw new BpfException("bpf_map_update_batch(pod_tiers, " + count.get(ValueLayout.JAVA_INT, 0) + " of " + n + " done)",
                        LibBpf.errno(state));
            }
        }
    }

    /** Writes {@code node_config[0]}: the pods root and the default tier. */
    public void writeConfig(NodeConfig cfg) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(NodeConfig.LAYOUT);
            cfg.encode(value);
            update(configFd, a.allocateFrom(ValueLayout.JAVA_INT, 0), value, "node_config[0]");
        }
    }

    /**
     * Writes {@code cpu_llc[0..n)} in one batch: element i is cpu i's last-level cache. Entries
     * past the array keep the zero they were loaded with.
     */
    public void writeCpuLlc(int[] llcOfCpu) throws BpfException {
        int n = Math.min(llcOfCpu.length, CpuTopology.MAX_CPUS);
        if (n == 0) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment keys = a.allocate(ValueLayout.JAVA_INT, n);
            MemorySegment values = a.allocate(ValueLayout.JAVA_INT, n);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(ValueLayout.JAVA_INT, i, i);
                values.setAtIndex(ValueLayout.JAVA_INT, i, llcOfCpu[i]);
            }
            MemorySegment count = a.allocateFrom(ValueLayout.JAVA_INT, n);
            if (call(() -> LibBpf.bpf_map_update_batch(state, cpuLlcFd, keys, values, count, MemorySegment.NULL)) != 0) {
                throw new BpfException("bpf_map_update_batch(cpu_llc, " + count.get(ValueLayout.JAVA_INT, 0) + " of " + n + " done)",
                        LibBpf.errno(state));
            }
        }
    }

    /**
     * Removes many pods with one system call. The kernel stops a delete batch at the first key that
     * is not there, and an absent pod is already the goal state, so the rest go one by one.
     */
    public void unmapPods(Collection<Long> cgroupIds) throws BpfException {
        int n = cgroupIds.size();
        if (n == 0) return;
        List<Long> ids = List.copyOf(cgroupIds);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment keys = a.allocate(ValueLayout.JAVA_LONG, n);
            for (int i = 0; i < n; i++) keys.setAtIndex(ValueLayout.JAVA_LONG, i, ids.get(i));
            MemorySegment count = a.allocateFrom(ValueLayout.JAVA_INT, n);
            if (call(() -> LibBpf.bpf_map_delete_batch(state, podTiersFd, keys, count, MemorySegment.NULL)) != 0) {
                int errno = LibBpf.errno(state);
                if (errno != ENOENT) throw new BpfException("bpf_map_delete_batch(pod_tiers)", errno);
                int done = count.get(ValueLayout.JAVA_INT, 0);
                for (int i = done; i < n; i++) unmapPod(ids.get(i));
            }
        }
    }

    /** Removes a pod; a pod that was not mapped is not an error (the goal state holds). */
    public void unmapPod(long cgroupId) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            int rc = call(() -> LibBpf.bpf_map_delete_elem(state, podTiersFd, a.allocateFrom(ValueLayout.JAVA_LONG, cgroupId)));
            if (rc != 0 && LibBpf.errno(state) != ENOENT) throw new BpfException("bpf_map_delete_elem(pod_tiers)", LibBpf.errno(state));
        }
    }

    /** Tier {@code tier}'s counters ({@link SchedulerConfig#SYSTEM_TIER} for the system tier), summed over CPUs. */
    public TierStats stats(int tier) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment values = a.allocate(TierStats.LAYOUT.byteSize() * cpus, 8);
            lookup(statsFd, a.allocateFrom(ValueLayout.JAVA_INT, tier), values, "tier_stats");
            return TierStats.sumPerCpu(values, cpus);
        }
    }

    /**
     * The bandwidth limit the scheduler enforces on that cgroup ({@code cgroup_bw}), read with one
     * lookup; empty when the cgroup has none.
     */
    public java.util.Optional<CgroupBandwidth> bandwidth(long cgroupId) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(CgroupBandwidth.LAYOUT);
            int rc = call(() -> LibBpf.bpf_map_lookup_elem(state, cgroupBwFd, a.allocateFrom(ValueLayout.JAVA_LONG, cgroupId), value));
            if (rc != 0) {
                int errno = LibBpf.errno(state);
                if (errno == ENOENT) return java.util.Optional.empty();
                throw new BpfException("bpf_map_lookup_elem(cgroup_bw)", errno);
            }
            return java.util.Optional.of(CgroupBandwidth.decode(value));
        }
    }

    public ExitInfo exitInfo() throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(ExitInfo.LAYOUT);
            lookup(exitFd, a.allocateFrom(ValueLayout.JAVA_INT, 0), value, "exit_info");
            return ExitInfo.decode(value);
        }
    }

    /** Attaches the struct_ops: from here the kernel schedules with us. */
    public void attach() throws BpfException {
        MemorySegment ops = findMap(OPS_MAP);
        MemorySegment l = call(() -> LibBpf.bpf_map__attach_struct_ops(state, ops));
        if (l.equals(MemorySegment.NULL)) throw new BpfException("bpf_map__attach_struct_ops", LibBpf.errno(state));
        link = l;
    }

    public boolean attached() {
        return !link.equals(MemorySegment.NULL);
    }

    /** Destroys the link: the kernel returns every task to CFS. Idempotent. */
    public void detach() {
        if (!attached()) return;
        MemorySegment l = link;
        link = MemorySegment.NULL;
        try {
            call(() -> LibBpf.bpf_link__destroy(state, l));
        } catch (BpfException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public void close() {
        detach();
        if (object == null) return;
        MemorySegment o = object;
        object = null;
        try {
            call(() -> {
                LibBpf.bpf_object__close(state, o);
                return null;
            });
        } catch (BpfException impossible) {
            throw new IllegalStateException(impossible);
        } finally {
            arena.close();
        }
    }

    private MemorySegment findMap(String name) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            return call(() -> LibBpf.bpf_object__find_map_by_name(state, object, a.allocateFrom(name)));
        }
    }

    private int mapFd(String name) throws BpfException {
        MemorySegment m = findMap(name);
        if (m.equals(MemorySegment.NULL)) throw new BpfException("bpf_object__find_map_by_name(" + name + ")", 2);
        return call(() -> LibBpf.bpf_map__fd(state, m));
    }

    private void update(int fd, MemorySegment key, MemorySegment value, String what) throws BpfException {
        if (call(() -> LibBpf.bpf_map_update_elem(state, fd, key, value, 0)) != 0) {
            throw new BpfException("bpf_map_update_elem(" + what + ")", LibBpf.errno(state));
        }
    }

    private void lookup(int fd, MemorySegment key, MemorySegment value, String what) throws BpfException {
        if (call(() -> LibBpf.bpf_map_lookup_elem(state, fd, key, value)) != 0) {
            throw new BpfException("bpf_map_lookup_elem(" + what + ")", LibBpf.errno(state));
        }
    }
}
