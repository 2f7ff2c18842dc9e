package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cpu_llc parser on fake /sys/devices/system/cpu trees. */
class CpuTopologyTest {
    @TempDir
    Path sys;

    /** cpuN/cache/indexM/{level,id}; a null id leaves the file out. */
    void cache(int cpu, int index, int level, Integer id) throws IOException {
        Path d = Files.createDirectories(sys.resolve("cpu" + cpu + "/cache/index" + index));
        Files.writeString(d.resolve("level"), level + "\n");
        if (id != null) Files.writeString(d.resolve("id"), id + "\n");
        Files.writeString(d.resolve("type"), level == 1 ? "Data\n" : "Unified\n");
    }

    /** A typical core: L1d, L1i, L2 per core, L3 shared. */
    void core(int cpu, int l2, int l3) throws IOException {
        cache(cpu, 0, 1, l2);
        cache(cpu, 1, 1, l2);
        cache(cpu, 2, 2, l2);
        cache(cpu, 3, 3, l3);
    }

    @Test
    void theL3IdGroupsCpus() throws IOException {
        // Two sockets (L3 ids 0 and 1), cpu numbering interleaved as on many servers.
        for (int cpu = 0; cpu < 8; cpu++) core(cpu, cpu, cpu % 2);
        Files.createDirectories(sys.resolve("cpufreq")); // other entries are ignored
        Files.writeString(sys.resolve("online"), "0-7\n");
        assertThat(CpuTopology.llcOfCpus(sys)).containsExactly(0, 1, 0, 1, 0, 1, 0, 1);
    }

    @Test
    void sparseOrLargeIdsAreNumberedDensely() throws IOException {
        core(0, 0, 24);
        core(1, 1, 24);
        core(2, 2, 7);
        core(3, 3, 1_000_000);
        assertThat(CpuTopology.llcOfCpus(sys)).containsExactly(1, 1, 0, 2);
    }

    @Test
    void withoutAnL3TheHighestLevelCounts() throws IOException {
        // Two clusters sharing an L2 each, no L3 (many arm64 parts).
        for (int cpu = 0; cpu < 4; cpu++) {
            cache(cpu, 0, 1, cpu);
            cache(cpu, 1, 2, cpu < 2 ? 5 : 9);
        }
        assertThat(CpuTopology.llcOfCpus(sys)).containsExactly(0, 0, 1, 1);
    }

    @Test
    void cpusWithoutCacheInformationShareLlcZero() throws IOException {
        core(0, 0, 3);
        core(1, 1, 4);
        Files.createDirectories(sys.resolve("cpu2"));   // offline: no cache directory
        cache(3, 0, 3, null);                          // a cache without an id
        Files.createDirectories(sys.resolve("cpu5/cache"));
        assertThat(CpuTopology.llcOfCpus(sys)).containsExactly(0, 1, 0, 0, 0, 0);
    }

    @Test
    void noCpusOrNoTreeIsEmpty() {
        assertThat(CpuTopology.llcOfCpus(sys)).isEmpty();
        assertThat(CpuTopology.llcOfCpus(sys.resolve("missing"))).isEmpty();
    }

    @Test
    void cpusBeyondTheMapAreLeftOut() throws IOException {
        core(0, 0, 0);
        core(CpuTopology.MAX_CPUS, 1, 1);
        assertThat(CpuTopology.llcOfCpus(sys)).containsExactly(0);
    }

    @Test
    void thisHostParses() {
        int[] llc = CpuTopology.llcOfCpus(CpuTopology.SYSFS);
        assertThat(llc.length).isLessThanOrEqualTo(CpuTopology.MAX_CPUS);
        for (int l : llc) assertThat(l).isBetween(0, CpuTopology.MAX_CPUS);
    }
}
