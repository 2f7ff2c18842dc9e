package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The bindings against the real libbpf and the real object file, on a host without sched_ext:
 * opening parses the ELF for real; loading must fail cleanly, naming the call and errno. Runs
 * where bpf/build.sh has built the object and libbpf.so.1 is installed (CI installs both).
 */
class BpfSchedulerHostTest {
    static final Path OBJECT = Path.of("../bpf/.build/temper.bpf.o");

    @Test
    void opensTheObjectAndFindsTheContractMaps() throws Exception {
        assumeTrue(BpfScheduler.libbpfAvailable() && Files.exists(OBJECT), "libbpf.so.1 and bpf/.build/temper.bpf.o needed");
        try (BpfScheduler s = BpfScheduler.open(OBJECT)) {
            for (String map : new String[] {"pod_tiers", "tiers", "tier_stats", "exit_info", "temper_ops"}) {
                assertThat(s.hasMap(map)).as(map).isTrue();
            }
            assertThat(s.hasMap("no_such_map")).isFalse();
            assertThat(s.attached()).isFalse();
        }
    }

    /** struct sched_ext_ops of 6.12 (39 members; the lab's 6.12.118 has exactly these). */
    static final java.util.List<String> OPS_6_12 = java.util.List.of("select_cpu", "enqueue", "dequeue", "dispatch", "tick", "runnable",
            "running", "stopping", "quiescent", "yield", "core_sched_before", "set_weight", "set_cpumask", "update_idle", "cpu_acquire",
            "cpu_release", "init_task", "exit_task", "enable", "disable", "dump", "dump_cpu", "dump_task", "cgroup_init", "cgroup_exit",
            "cgroup_prep_move", "cgroup_move", "cgroup_cancel_move", "cgroup_set_weight", "cpu_online", "cpu_offline", "init", "exit",
            "dispatch_max_batch", "flags", "timeout_ms", "exit_dump_len", "hotplug_seq", "name");

    @Test
    void aCallbackTheKernelLacksIsLeftOutAndOnlyThat() throws Exception {
        assumeTrue(BpfScheduler.libbpfAvailable() && Files.exists(OBJECT), "libbpf.so.1 and bpf/.build/temper.bpf.o needed");
        try (BpfScheduler s = BpfScheduler.open(OBJECT)) {
            // 6.12 has no cgroup_set_bandwidth: the object's callback for it is cleared, nothing else.
            assertThat(s.dropMissingOps(OPS_6_12)).containsExactly("cgroup_set_bandwidth");
            assertThat(s.dropMissingOps(OPS_6_12)).as("cleared already: nothing left to drop").isEmpty();
        }
        try (BpfScheduler s = BpfScheduler.open(OBJECT)) {
            java.util.List<String> newer = new java.util.ArrayList<>(OPS_6_12);
            newer.addAll(java.util.List.of("cgroup_set_bandwidth", "cgroup_set_idle", "sub_attach", "sub_detach", "sub_cgroup_id", "priv"));
            assertThat(s.dropMissingOps(newer)).as("a 7.x kernel has every callback the object sets").isEmpty();
            assertThat(s.dropMissingOps(java.util.List.of())).as("unknown kernel: the object as built").isEmpty();
        }
    }

    @Test
    void opensThePackagedObjectFromMemory() throws Exception {
        assumeTrue(BpfScheduler.libbpfAvailable() && BpfObject.packaged().isPresent(), "libbpf.so.1 and a jar built after bpf/build.sh needed");
        try (BpfScheduler s = BpfScheduler.open(BpfObject.packaged().get())) {
            assertThat(s.hasMap("pod_tiers")).isTrue();
            assertThat(s.hasMap("temper_ops")).isTrue();
        }
    }

    @Test
    void garbageInMemoryIsAnErrnoNotACrash() {
        assumeTrue(BpfScheduler.libbpfAvailable(), "libbpf.so.1 needed");
        assertThatThrownBy(() -> BpfScheduler.open(new BpfObject("temper", "not an ELF file".getBytes(), "test bytes")))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bpf_object__open_mem(test bytes)");
    }

    @Test
    void aMissingObjectIsAnErrnoNotACrash() {
        assumeTrue(BpfScheduler.libbpfAvailable(), "libbpf.so.1 needed");
        assertThatThrownBy(() -> BpfScheduler.open(Path.of("/nonexistent/temper.bpf.o")))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bpf_object__open_file(/nonexistent/temper.bpf.o)")
                .hasMessageContaining("ENOENT");
    }

    /**
     * The object's maps against the agent's codecs (bpf/temper.h), by the sizes libbpf read from
     * the object's BTF, and the new maps (config, cpu_llc) present. An object built from a
     * temper.bpf.c that predates the header's contract is reported as a skip naming each map that
     * differs (the agent refuses to load it: see the next test), never silently passed.
     */
    @Test
    void theObjectsMapsMatchTheAgentsLayouts() throws Exception {
        assumeTrue(BpfScheduler.libbpfAvailable() && Files.exists(OBJECT), "libbpf.so.1 and bpf/.build/temper.bpf.o needed");
        try (BpfScheduler s = BpfScheduler.open(OBJECT)) {
            var mismatches = s.contractMismatches();
            assumeTrue(mismatches.isEmpty(), () -> "SKIPPED, CONTRACT MISMATCH: " + OBJECT + " was built from a temper.bpf.c older than"
                    + " bpf/temper.h (" + String.join("; ", mismatches) + "); the agent refuses to load it");
            for (String map : new String[] {"node_config", "cpu_llc"}) assertThat(s.hasMap(map)).as(map).isTrue();
            assertThat(mismatches).isEmpty();
        }
    }

    @Test
    void loadingWithoutSchedExtFailsCleanly() throws Exception {
        assumeTrue(BpfScheduler.libbpfAvailable() && Files.exists(OBJECT), "libbpf.so.1 and bpf/.build/temper.bpf.o needed");
        assumeTrue(!Files.exists(Path.of("/sys/kernel/sched_ext")), "this host has sched_ext; the lab covers loading");
        try (BpfScheduler s = BpfScheduler.open(OBJECT)) {
            var mismatches = s.contractMismatches();
            if (mismatches.isEmpty()) {
                assertThatThrownBy(s::load).isInstanceOf(BpfException.class).hasMessageStartingWith("bpf_object__load failed: errno ");
            } else {
                // An object of another contract is refused before the kernel sees it, saying why.
                assertThatThrownBy(s::load).isInstanceOf(BpfException.class)
                        .hasMessageStartingWith("checking the object's maps against the agent's bpf/temper.h (")
                        .hasMessageContaining(mismatches.getFirst());
            }
            assertThat(s.attached()).isFalse();
        }
    }
}
