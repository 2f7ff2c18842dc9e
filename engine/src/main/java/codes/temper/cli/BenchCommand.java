package codes.temper.cli;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.QosClass;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.rules.RuleEngine;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures the rule engine: how soon after JVM start the rules are ready, and evaluation time for
 * a full node (110 pods, the kubelet's default maximum) and for 10,000 pods. Figures go to
 * docs/BENCHMARKS.md with the command that produced them; nothing here is asserted by tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark rule-base build and evaluation.")
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--policies", defaultValue = "policies", paramLabel = "DIR", description = "Policy directory to evaluate (default: ${DEFAULT-VALUE}).")
    Path policies;

    @Option(names = "--iterations", defaultValue = "5000", description = "Measured evaluations of 110 pods (after as many warm-up ones).")
    int iterations;

    @Option(names = "--large-iterations", defaultValue = "100", description = "Measured evaluations of 10,000 pods.")
    int largeIterations;

    @Option(names = "--large-warmup", defaultValue = "150", description = "Warm-up evaluations of 10,000 pods (the JIT needs ~100).")
    int largeWarmup;

    @Option(names = "--startup-runs", defaultValue = "10", description = "Fresh JVMs started to time start -> rules ready.")
    int startupRuns;

    @Option(names = "--ready-probe", hidden = true, description = "Child mode: build the rule base, decide once, print READY.")
    boolean readyProbe;

    @Override
    public Integer call() throws Exception {
        PolicySet policy = new PolicyParser().parse(PolicyDirectory.read(policies));
        NodeFact node = new NodeFact("bench-node", Map.of(), null, "6.12.57+deb13-cloud-amd64", 6012, 7910);
        List<PodFact> full = pods(110, "bench-node", 1);
        PrintWriter out = spec.commandLine().getOut();
        if (readyProbe) {
            long t0 = System.nanoTime();
            RuleEngine engine = RuleEngine.get();
            long built = System.nanoTime();
            engine.evaluate(policy, node, full);
            out.printf(Locale.ROOT, "READY %d %d%n", built - t0, System.nanoTime() - built);
            out.flush();
            return 0;
        }
        startup(out);
        RuleEngine engine = RuleEngine.get();
        report(out, "110 pods", measure(engine, policy, node, full, iterations, iterations));
        List<PodFact> large = pods(10_000, "bench-node", 2);
        report(out, "10,000 pods", measure(engine, policy, node, large, largeWarmup, largeIterations));
        out.printf(Locale.ROOT, "peak RSS of this bench process: %d MiB%n", peakRssKiB() / 1024);
        out.flush();
        return 0;
    }

    /**
     * Starts fresh JVMs with this JVM's options (so the launcher's AOT cache is used too) and times
     * process start -> the child printing READY after building the rule base and deciding 110 pods.
     */
    private void startup(PrintWriter out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "bench", "--ready-probe", "--policies", policies.toString()));
        long[] wall = new long[startupRuns], build = new long[startupRuns], first = new long[startupRuns];
        for (int i = 0; i < startupRuns; i++) {
            long s = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String line;
            try (var r = p.inputReader()) {
                while ((line = r.readLine()) != null && !line.startsWith("READY ")) { }
            }
            wall[i] = System.nanoTime() - s;
            if (p.waitFor() != 0 || line == null) throw new IllegalStateException("ready probe failed: " + cmd);
            String[] f = line.split(" ");
            build[i] = Long.parseLong(f[1]);
            first[i] = Long.parseLong(f[2]);
        }
        Arrays.sort(wall);
        Arrays.sort(build);
        Arrays.sort(first);
        out.printf(Locale.ROOT, "process start -> rules ready + first decision (110 pods), %d fresh JVMs: p50 %d ms, max %d ms%n",
                startupRuns, pct(wall, 50) / 1_000_000, wall[startupRuns - 1] / 1_000_000);
        out.printf(Locale.ROOT, "  of which rule base build p50 %.1f ms, first evaluation p50 %.1f ms%n",
                pct(build, 50) / 1e6, pct(first, 50) / 1e6);
        out.flush();
    }

    private static long[] measure(RuleEngine engine, PolicySet policy, NodeFact node, List<PodFact> pods, int warmup, int n) {
        for (int i = 0; i < warmup; i++) engine.evaluate(policy, node, pods);
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            engine.evaluate(policy, node, pods);
            ns[i] = System.nanoTime() - s;
        }
        Arrays.sort(ns);
        return ns;
    }

    private static void report(PrintWriter out, String what, long[] sorted) {
        out.printf(Locale.ROOT, "evaluate %-11s n=%-5d p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms%n", what, sorted.length,
                pct(sorted, 50) / 1e6, pct(sorted, 99) / 1e6, sorted[sorted.length - 1] / 1e6);
        out.flush();
    }

    private static long pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /**
     * A node's worth of pods in realistic proportions: system pods with system priority classes,
     * most pods class-less Burstable, some Guaranteed, BestEffort and batch pods with negative
     * priorities, a few finished pods and pods of other nodes that must be ignored.
     */
    static List<PodFact> pods(int n, String nodeName, long seed) {
        Random rnd = new Random(seed);
        List<PodFact> pods = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(100);
            String uid = new java.util.UUID(rnd.nextLong(), rnd.nextLong()).toString();
            QosClass qos;
            long prio = 0;
            String pc = null;
            if (kind < 8) { qos = QosClass.Burstable; prio = 2_000_001_000; pc = "system-node-critical"; }
            else if (kind < 12) { qos = QosClass.Burstable; prio = 2_000_000_000; pc = "system-cluster-critical"; }
            else if (kind < 20) { qos = QosClass.Guaranteed; prio = 100_000; pc = "high-priority"; }
            else if (kind < 60) { qos = QosClass.Burstable; }
            else if (kind < 72) { qos = QosClass.Guaranteed; }
            else if (kind < 82) { qos = QosClass.BestEffort; }
            else if (kind < 90) { qos = QosClass.Burstable; prio = -50; pc = "batch-low"; }
            else { qos = QosClass.BestEffort; prio = -1000; pc = "preemptible"; }
            String phase = kind % 25 == 0 ? "Succeeded" : "Running";
            String node = i % 50 == 49 ? "other-node" : nodeName;
            long limit = qos == QosClass.BestEffort ? -1 : 250L * (1 + rnd.nextInt(8));
            pods.add(new PodFact(uid, "ns-" + (i % 40), "pod-" + i, node, phase, qos, prio, pc != null, pc,
                    null, limit, limit > 0 ? limit / 2 : 0, "kubepods.slice/pod" + uid, false));
        }
        return pods;
    }

    private static long peakRssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
