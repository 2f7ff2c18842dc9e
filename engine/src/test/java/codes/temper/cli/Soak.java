package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.MockApiServer;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.reconcile.CgroupIds;
import codes.temper.reconcile.DesiredConfig;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Decision;
import codes.temper.rules.PodFact;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.EjectionBackoff;
import codes.temper.sched.SchedulerConfig;
import codes.temper.source.GitHttpServer;
import codes.temper.source.PolicyRepo;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Issue 13's soak: the real agent, assembled as {@code temper agent} assembles it, in cluster mode
 * against the fabric8 mock API server (CRUD mode, real HTTP and watches), with its policies from a
 * real Git smart-HTTP server, its safe-mode file, its status API and the dry-run driver, whose
 * applied configuration stands in for the BPF maps (it computes exactly the writes the BPF driver
 * makes). {@link SoakLoad} churns pods, commits policies (every fourth broken), toggles safe mode
 * by annotation, file and API, and reads the status API, for the given minutes. Then:
 * applied == desired (recomputed here from the API server's pods and the last good commit), map
 * entries == live pods, no growth of threads or file descriptors, heap after GC flat.
 *
 * <p>A main class on the test classpath, run by {@code scripts/soak}, not a JUnit test: it runs
 * for minutes, and its thread and descriptor counts are those of a process that runs nothing
 * else (surefire's JVM carries other tests' leftovers). The harness is the integration tests'.
 */
public final class Soak {
    static final String NODE = "node-a";
    static final String TOKEN = "soak-token-0123456789abcdef";
    /**
     * Growth allowed between the sample after warm-up and the last one, both under the same load.
     * Threads: the Jetty and JDK HTTP pools grow and shrink with the requests in flight (a few
     * either way is noise). Descriptors: sockets in flight. Heap after GC: 8 MB or 10 %, whichever
     * is more; runs of the fixed rig moved it by under 2 MB either way, while the mock API server's
     * record of every request (before it was drained) grew it by 11 MB in 3 minutes.
     */
    static final int THREAD_SLACK = 8, FD_SLACK = 16;
    static final double HEAP_SLACK_MB = 8, HEAP_SLACK_SHARE = 0.10;

    /** What the load drives and what the checks read. */
    static final class Rig {
        final MockApiServer server;
        final KubernetesClient client;
        final PolicyRepo repo;
        final Path cgroups, safeModeFile;
        final SoakPolicies policies;
        Agent agent;
        private volatile String lastGoodCommit;
        private volatile Map<String, String> lastGoodFiles;
        private String csrf;

        Rig(MockApiServer server, KubernetesClient client, PolicyRepo repo, Path cgroups, Path safeModeFile, SoakPolicies policies) {
            this.server = server;
            this.client = client;
            this.repo = repo;
            this.cgroups = cgroups;
            this.safeModeFile = safeModeFile;
            this.policies = policies;
        }

        KubernetesClient client() { return client; }
        PolicyRepo repo() { return repo; }
        Agent agent() { return agent; }
        Path safeModeFile() { return safeModeFile; }
        SoakPolicies policies() { return policies; }
        String lastGoodCommit() { return lastGoodCommit; }

        DryRunDriver dryRun() {
            return (DryRunDriver) agent.supervisor().driver();
        }

        Path cgroup(Pod p) {
            return SoakLoad.cgroupOf(cgroups, p);
        }

        URI api(String path) {
            return URI.create("http://127.0.0.1:" + agent.apiPort() + path);
        }

        /** The page's cross-site token, as a script gets one; valid for hours, so fetched once. */
        synchronized String csrfToken() {
            if (csrf == null) csrf = codes.temper.api.Csrf.token(agent.apiPort());
            return csrf;
        }

        double rejections() {
            return agent.counters().rejections();
        }

        void lastGood(String commit, Map<String, String> files) {
            lastGoodFiles = files;
            lastGoodCommit = commit;
        }
    }

    public static void main(String[] args) throws Exception {
        double minutes = 10;
        Path policies = Path.of("policies");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--policies" -> policies = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--minutes N, --policies DIR)");
            }
        }
        SoakLog log = SoakLog.install(Path.of("engine/target/soak-agent.log"));
        boolean ok = new Soak().run(Duration.ofMillis((long) (minutes * 60_000)), policies, log);
        System.exit(ok ? 0 : 1);
    }

    boolean run(Duration length, Path policyDir, SoakLog log) throws Exception {
        Path work = Files.createTempDirectory("temper-soak");
        Duration warmUp = Duration.ofSeconds(Math.min(60, Math.max(30, length.toSeconds() / 4)));
        Duration sampleEvery = Duration.ofSeconds(length.toMinutes() >= 5 ? 30 : 10);
        System.out.printf("soak: %.1f min (warm-up %d s, a sample every %d s), started %s; agent log in %s%n", length.toMillis() / 60000.0,
                warmUp.toSeconds(), sampleEvery.toSeconds(), Instant.now(), log.file());

        try (MockApiServer server = new MockApiServer(); KubernetesClient client = server.client();
                PolicyRepo repo = new PolicyRepo(Files.createDirectories(work.resolve("repos")), "policies.git")) {
            Path cgroups = Files.createDirectories(work.resolve("cgroup"));
            client.resource(Snapshots.readNode(policyDir.resolve("examples/node.yaml"))).create();
            for (Pod p : Snapshots.readPods(policyDir.resolve("examples/pods.yaml"))) {
                Files.createDirectories(SoakLoad.cgroupOf(cgroups, client.resource(p).create()));
            }
            Rig rig = new Rig(server, client, repo, cgroups, work.resolve("safe-mode"), SoakPolicies.read(policyDir));
            var first = repo.commit("initial", rig.policies().initial());
            rig.lastGood(first.name(), rig.policies().initial());
            GitHttpServer git = new GitHttpServer(work.resolve("repos"), null, null).start();
            Path tokens = Files.writeString(work.resolve("tokens"), TOKEN + "\n");
            rig.agent = new Agent(new Agent.Options(NODE, client, null, null,
                    "http://127.0.0.1:" + git.port() + "/policies.git#main:policies", work.resolve("cache"), null, null,
                    Duration.ofSeconds(5), Duration.ofSeconds(1), rig.safeModeFile, Duration.ofMillis(100), DriverChoice.Mode.DRY_RUN,
                    null, cgroups, CgroupDriver.SYSTEMD, Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(),
                    new Agent.Api("127.0.0.1", 0, tokens, null), Path.of("/nonexistent/kernel/btf/vmlinux"))).start();
            try {
                Await.until("the agent engaged on the first commit", Duration.ofSeconds(60),
                        () -> ("main@sha1:" + first.name()).equals(rig.agent.status().policyRevision()) && rig.dryRun().attached());
                return soak(rig, length, warmUp, sampleEvery, log);
            } finally {
                rig.agent.close();
                git.close();
            }
        }
    }

    private boolean soak(Rig rig, Duration length, Duration warmUp, Duration sampleEvery, SoakLog log) throws Exception {
        SoakLoad load = new SoakLoad(rig);
        long t0 = System.nanoTime();
        load.start(4, 20, Duration.ofSeconds(8), 2);
        List<SoakSample> samples = new ArrayList<>();
        SoakSample baseline = null;
        Map<String, Long> histogramBefore = Map.of();
        System.out.println(SoakSample.header());
        for (long next = warmUp.toNanos(); next <= length.toNanos(); next += sampleEvery.toNanos()) {
            long wait = t0 + next - System.nanoTime();
            if (wait > 0) Thread.sleep(Duration.ofNanos(wait));
            SoakSample s = sample(rig, t0);
            samples.add(s);
            if (baseline == null) {
                baseline = s;
                histogramBefore = SoakSample.histogram();
            }
            System.out.println(s.row() + (s == baseline ? "   <- after warm-up" : ""));
        }
        // Medians of the first and the last three samples: a reading after GC includes what the
        // load allocated since the collection (seen: +-3 MB from one sample to the next).
        int k = Math.max(1, Math.min(3, samples.size() / 3));
        SoakSample first = SoakSample.median(samples.subList(0, k)), end = SoakSample.median(samples.subList(samples.size() - k, samples.size()));
        var histogramEnd = SoakSample.histogram();
        load.stop();
        double ran = (System.nanoTime() - t0) / 1e9;

        // Quiesce: every request withdrawn, then the agent must converge on the API server's pods
        // and the last good revision.
        load.clearSafeMode();
        List<String> problems = new ArrayList<>(load.failures);
        String converged = converge(rig);
        if (converged != null) problems.add(converged);
        SoakSample after = sample(rig, t0);
        System.out.println(after.row() + "   <- load stopped, converged");

        int threadGrowth = end.threads() - first.threads(), fdGrowth = end.fds() - first.fds();
        double heapGrowth = end.heapAfterGcMb() - first.heapAfterGcMb();
        double heapSlack = Math.max(HEAP_SLACK_MB, HEAP_SLACK_SHARE * first.heapAfterGcMb());
        if (threadGrowth > THREAD_SLACK) problems.add("threads grew by " + threadGrowth + " (allowed " + THREAD_SLACK + ")");
        if (fdGrowth > FD_SLACK) problems.add("file descriptors grew by " + fdGrowth + " (allowed " + FD_SLACK + ")");
        if (heapGrowth > heapSlack) problems.add(String.format("heap after GC grew by %.1f MB (allowed %.1f)", heapGrowth, heapSlack));
        // The figures the checks read must be live: a counter read under a wrong name reads 0 and
        // every check on it passes or fails for nothing.
        if (after.passes() <= first.passes()) problems.add("no reconcile pass counted after warm-up (" + first.passes() + " -> " + after.passes() + ")");
        log.thrown().forEach(t -> problems.add("logged with a stack trace: " + t));

        System.out.printf("%nsoak figures (%.0f s under load):%n", ran);
        new TreeMap<>(load.counts).forEach((what, n) -> System.out.printf("  %-42s %d%n", what, n.get()));
        System.out.printf("  %-42s %s%n", "safe-mode toggle honoured after (ms)", SoakLog.spread(load.toggleMillis));
        System.out.printf("  %-42s %s%n", "good commit applied after (ms)", SoakLog.spread(load.commitMillis));
        System.out.printf("  %-42s %d%n", "reconcile passes", passes(rig));
        System.out.printf("  %-42s %d (last %d kept)%n", "scheduler applies (dry run)", rig.dryRun().applies(), rig.dryRun().history().size());
        System.out.printf("  %-42s %s%n", "compared", "median of the first " + k + " samples -> median of the last " + k);
        System.out.printf("  %-42s %+d (%d -> %d; allowed +%d)%n", "threads, warm-up -> end", threadGrowth, first.threads(), end.threads(), THREAD_SLACK);
        System.out.printf("  %-42s %+d (%d -> %d; allowed +%d)%n", "file descriptors, warm-up -> end", fdGrowth, first.fds(), end.fds(), FD_SLACK);
        System.out.printf("  %-42s %+.1f MB (%.1f -> %.1f; allowed +%.1f)%n", "heap after GC, warm-up -> end", heapGrowth,
                first.heapAfterGcMb(), end.heapAfterGcMb(), heapSlack);
        System.out.printf("  %-42s %+.1f MB/h%n", "heap after GC, fitted slope", SoakSample.heapSlopeMbPerHour(samples));
        System.out.println("  live bytes that grew most, warm-up -> end (class histograms):");
        SoakSample.growth(histogramBefore, histogramEnd, 12).forEach(l -> System.out.println("    " + l));
        System.out.printf("  %-42s %s%n", "harness operations that failed", load.harnessErrors.isEmpty() ? "none" : load.harnessErrors);
        System.out.printf("  %-42s %s%n", "agent log lines at WARNING and above", log.summary());
        problems.forEach(p -> System.out.println("FAILED: " + p));
        System.out.println(problems.isEmpty() ? "soak: passed" : "soak: " + problems.size() + " failure(s)");
        return problems.isEmpty();
    }

    private static SoakSample sample(Rig rig, long t0) throws InterruptedException {
        rig.server.discardRecordedRequests(); // the harness's own record, not the agent's
        return SoakSample.take((System.nanoTime() - t0) / 1e9, livePods(rig).size(), rig.dryRun().applied().pods().size(), passes(rig),
                rig.agent.status().agentStatus());
    }

    private static long passes(Rig rig) {
        return rig.agent.counters().passes();
    }

    /** The pods the agent must place: on its node, per the API server, not finished. */
    private static List<Pod> livePods(Rig rig) {
        return rig.client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> NODE.equals(p.getSpec().getNodeName()))
                .filter(p -> p.getStatus() == null || !Set.of("Succeeded", "Failed").contains(p.getStatus().getPhase()))
                .toList();
    }

    /** Null once the agent holds exactly what the last good revision decides for the API server's pods, else why not. */
    private static String converge(Rig rig) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String why;
        do {
            why = mismatch(rig);
            if (why == null) return null;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return "not converged 60 s after the load stopped: " + why;
    }

    private static String mismatch(Rig rig) {
        var st = rig.agent.status();
        if (!("main@sha1:" + rig.lastGoodCommit).equals(st.policyRevision())) return "revision " + st.policyRevision() + ", last good " + rig.lastGoodCommit;
        if (!st.agentStatus().startsWith("dry-run:") || !rig.dryRun().attached()) return "status " + st.agentStatus();
        try {
            List<PolicyFile> files = rig.lastGoodFiles.entrySet().stream()
                    .map(e -> new PolicyFile(Path.of(e.getKey()).getFileName().toString(), e.getValue().getBytes(StandardCharsets.UTF_8))).toList();
            var policy = new PolicyParser().parse(files);
            List<Pod> live = livePods(rig);
            List<PodFact> facts = live.stream().map(p -> PodFacts.of(p, CgroupDriver.SYSTEMD)).toList();
            Decision d = RuleEngine.get().evaluate(policy, NodeFacts.of(rig.client.nodes().withName(NODE).get()).orElseThrow(), facts);
            // podCeilings: the agent's BTF probe cannot tell here, so it writes each pod's ceiling itself.
            SchedulerConfig desired = DesiredConfig.of(d, new CgroupIds(rig.cgroups), CgroupDriver.SYSTEMD.podsRoot(), OptionalInt.empty(), true).config();
            SchedulerConfig applied = rig.dryRun().applied();
            Set<Long> liveIds = live.stream().map(p -> inode(rig.cgroup(p))).collect(Collectors.toSet());
            if (!applied.pods().keySet().equals(liveIds)) {
                List<String> unmapped = live.stream().filter(p -> !applied.pods().containsKey(inode(rig.cgroup(p))))
                        .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + (Files.isDirectory(rig.cgroup(p)) ? "" : " (no cgroup)"))
                        .toList();
                return "map entries " + applied.pods().size() + " != live pods " + liveIds.size() + "; unmapped: " + unmapped;
            }
            if (!applied.pods().equals(desired.pods())) return "pod entries differ from the desired ones";
            if (!applied.tiers().equals(desired.tiers())) return "tier entries differ: " + applied.tiers() + " vs " + desired.tiers();
            System.out.printf("converged: applied == desired (%d pods in %d tiers), map entries == live pods, revision %s%n",
                    applied.pods().size(), applied.tiers().size(), st.policyRevision());
            return null;
        } catch (Exception e) {
            return "checking failed: " + e;
        }
    }

    private static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
