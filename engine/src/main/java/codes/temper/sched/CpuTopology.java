package codes.temper.sched;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which last-level cache each CPU shares, for the scheduler's {@code cpu_llc} map, read from
 * {@code /sys/devices/system/cpu/cpu<N>/cache/index<M>/{level,id}}: a CPU's LLC is its level-3
 * cache, or the highest level it has when it has none. The scheduler only compares the numbers,
 * so the caches found are numbered densely from 0 (by level, then id): a sparse or large id, or an
 * L2 id beside L3 ids, cannot collide or overflow the scheduler's LLC table. A CPU without cache
 * information (offline, or a kernel that does not say) is in LLC 0; no information at all = one
 * LLC, which is what a zeroed map means.
 */
public final class CpuTopology {
    public static final Path SYSFS = Path.of("/sys/devices/system/cpu");
    /** TEMPER_MAX_CPUS. */
    public static final int MAX_CPUS = 1024;

    private static final Pattern CPU = Pattern.compile("cpu(\\d{1,4})");
    private static final Pattern INDEX = Pattern.compile("index\\d{1,3}");

    private CpuTopology() {
    }

    /**
     * The LLC number of each CPU: element i for cpu i, as long as the highest CPU found plus one
     * (at most {@link #MAX_CPUS}); empty when {@code cpuRoot} lists no CPU.
     */
    public static int[] llcOfCpus(Path cpuRoot) {
        // cpu -> (level, id) of its last-level cache; absent = unknown
        Map<Integer, long[]> llc = new TreeMap<>();
        int maxCpu = -1;
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(cpuRoot)) {
            for (Path dir : cpus) {
                Matcher m = CPU.matcher(dir.getFileName().toString());
                if (!m.matches()) continue;
                int cpu = Integer.parseInt(m.group(1));
                if (cpu >= MAX_CPUS) continue;
                maxCpu = Math.max(maxCpu, cpu);
                long[] best = lastLevel(dir.resolve("cache"));
                if (best != null) llc.put(cpu, best);
            }
        } catch (IOException e) {
            return new int[0];
        }
        // Dense numbers in (level, id) order.
        TreeMap<Long, Integer> number = new TreeMap<>();
        for (long[] c : llc.values()) number.put(c[0] << 40 | c[1], 0);
        int n = 0;
        for (var e : number.entrySet()) e.setValue(n++);
        int[] out = new int[maxCpu + 1];
        llc.forEach((cpu, c) -> out[cpu] = number.get(c[0] << 40 | c[1]));
        return out;
    }

    /** {level, id} of the highest-level cache that names both, preferring level 3; null if none. */
    private static long[] lastLevel(Path cacheDir) {
        long[] best = null;
        try (DirectoryStream<Path> indexes = Files.newDirectoryStream(cacheDir)) {
            for (Path idx : indexes) {
                if (!INDEX.matcher(idx.getFileName().toString()).matches()) continue;
                long level = number(idx.resolve("level")), id = number(idx.resolve("id"));
                if (level < 0 || id < 0 || level > 15 || id >= 1L << 40) continue;
                if (best == null || rank(level) > rank(best[0])) best = new long[] {level, id};
            }
        } catch (IOException e) {
            return null; // no cache directory: unknown
        }
        return best;
    }

    // Level 3 first (the LLC on every current x86 and most arm64 parts), then the highest other.
    private static long rank(long level) {
        return level == 3 ? Long.MAX_VALUE : level;
    }

    private static long number(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
