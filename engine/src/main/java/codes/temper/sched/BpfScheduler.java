package codes.temper.sched;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

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

    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(LibBpf.CALL_STATE);
    private MemorySegment object;
    private MemorySegment link = MemorySegment.NULL;
    private int podTiersFd = -1, tiersFd = -1, statsFd = -1, exitFd = -1;
    private int cpus;

    private BpfScheduler(MemorySegment object) {
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
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(LibBpf.CALL_STATE);
            MemorySegment obj = call(() -> LibBpf.bpf_object__open_file(st, a.allocateFrom(objectFile.toString()), MemorySegment.NULL));
            if (obj.equals(MemorySegment.NULL)) throw new BpfException("bpf_object__open_file(" + objectFile + ")", LibBpf.errno(st));
            return new BpfScheduler(obj);
        }
    }

    /** True when the object declares a map of that name (checks the object, not the kernel). */
    public boolean hasMap(String name) throws BpfException {
        return !findMap(name).equals(MemorySegment.NULL);
    }

    /** Loads programs and maps into the kernel: the verifier runs here. */
    public void load() throws BpfException {
        int rc = call(() -> LibBpf.bpf_object__load(state, object));
        if (rc != 0) throw new BpfException("bpf_object__load", rc < 0 ? -rc : LibBpf.errno(state));
        podTiersFd = mapFd("pod_tiers");
        tiersFd = mapFd("tiers");
        statsFd = mapFd("tier_stats");
        exitFd = mapFd("exit_info");
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

    public void mapPod(long cgroupId, int tier) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            update(podTiersFd, a.allocateFrom(ValueLayout.JAVA_LONG, cgroupId), a.allocateFrom(ValueLayout.JAVA_INT, tier), "pod_tiers");
        }
    }

    /** Removes a pod; a pod that was not mapped is not an error (the goal state holds). */
    public void unmapPod(long cgroupId) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            int rc = call(() -> LibBpf.bpf_map_delete_elem(state, podTiersFd, a.allocateFrom(ValueLayout.JAVA_LONG, cgroupId)));
            if (rc != 0 && LibBpf.errno(state) != 2) throw new BpfException("bpf_map_delete_elem(pod_tiers)", LibBpf.errno(state));
        }
    }

    public TierStats stats(int tier) throws BpfException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment values = a.allocate(TierStats.LAYOUT.byteSize() * cpus, 8);
            lookup(statsFd, a.allocateFrom(ValueLayout.JAVA_INT, tier), values, "tier_stats");
            return TierStats.sumPerCpu(values, cpus);
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
