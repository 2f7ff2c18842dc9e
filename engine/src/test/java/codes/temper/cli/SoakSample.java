package codes.temper.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One reading of the soak process's resources: platform threads (virtual threads, which the
 * status API serves requests on, are not counted by the JVM and hold no OS thread), open file
 * descriptors ({@code /proc/self/fd}), the heap in use right after a full collection (what is
 * live), and the resident set.
 */
record SoakSample(double seconds, int threads, int fds, double heapAfterGcMb, double rssMb, int livePods, int mapEntries,
        long passes, String mode) {

    static SoakSample take(double seconds, int livePods, int mapEntries, long passes, String mode) {
        // Two collections: the first may leave garbage that finalization or reference processing freed only then.
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new SoakSample(seconds, ManagementFactory.getThreadMXBean().getThreadCount(), openFds(), heap / 1048576.0, residentMb(),
                livePods, mapEntries, passes, mode);
    }

    static int openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // the listing's own descriptor
        } catch (IOException e) {
            return -1;
        }
    }

    static double residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: reported as unknown
        }
        return -1;
    }

    static String header() {
        return String.format("%8s %8s %6s %14s %8s %6s %8s %8s  %s", "t (s)", "threads", "fds", "heap/GC (MB)", "RSS (MB)", "pods",
                "map", "passes", "mode");
    }

    String row() {
        return String.format("%8.0f %8d %6d %14.1f %8.0f %6d %8d %8d  %s", seconds, threads, fds, heapAfterGcMb, rssMb, livePods, mapEntries,
                passes, mode);
    }

    /** Each figure's median over {@code s} (threads, descriptors, heap, RSS); the rest from the last sample. */
    static SoakSample median(List<SoakSample> s) {
        SoakSample last = s.getLast();
        return new SoakSample(last.seconds, (int) med(s, x -> x.threads), (int) med(s, x -> x.fds), med(s, x -> x.heapAfterGcMb),
                med(s, x -> x.rssMb), last.livePods, last.mapEntries, last.passes, last.mode);
    }

    private static double med(List<SoakSample> s, java.util.function.ToDoubleFunction<SoakSample> f) {
        double[] v = s.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    /** Live bytes by class (a full collection first), from the JVM's own class histogram (jcmd GC.class_histogram). */
    static java.util.Map<String, Long> histogram() {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            String text = (String) server.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":")) out.put(f[3], Long.parseLong(f[2]));
            }
        } catch (Exception e) {
            out.put("(histogram unavailable: " + e + ")", 0L);
        }
        return out;
    }

    /** The classes whose live bytes grew most between two histograms, as "class +KB" lines. */
    static List<String> growth(java.util.Map<String, Long> before, java.util.Map<String, Long> after, int top) {
        return after.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(e -> String.format("%+8.1f KB  %s", e.getValue() / 1024.0, e.getKey()))
                .toList();
    }

    /** Least-squares slope of heap after GC over time, in MB per hour, from the samples given. */
    static double heapSlopeMbPerHour(List<SoakSample> s) {
        int n = s.size();
        if (n < 2) return 0;
        double mx = s.stream().mapToDouble(SoakSample::seconds).average().orElse(0);
        double my = s.stream().mapToDouble(SoakSample::heapAfterGcMb).average().orElse(0);
        double num = 0, den = 0;
        for (SoakSample x : s) {
            num += (x.seconds - mx) * (x.heapAfterGcMb - my);
            den += (x.seconds - mx) * (x.seconds - mx);
        }
        return den == 0 ? 0 : num / den * 3600;
    }
}
