package codes.temper.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.util.FileUtils;

/**
 * Benchmark of the Git policy source (not a test; nothing is asserted). Serves a policy repository
 * (the default policies plus history) with JGit's GitServlet on Jetty on 127.0.0.1, then measures,
 * in one run against that one server:
 * <ul>
 *   <li>an unchanged-remote poll: time and body bytes on the wire, requests, upload-pack POSTs;</li>
 *   <li>commit-to-current latency: a commit is pushed, then one poll makes it current (the wait
 *       for the next poll — interval ± jitter — comes on top and is configuration, not cost);</li>
 *   <li>a cold depth-1 fetch into an empty bare repository: JGit (this fetcher) vs {@code git fetch --depth 1};</li>
 *   <li>an up-to-date re-fetch: this fetcher's unchanged poll vs {@code git fetch --depth 1} again.</li>
 * </ul>
 * Run: {@code scripts/bench-git} (builds the test classes, then runs this main). Medians over
 * {@code --runs} (default 30) after 5 warm-up rounds; bytes are HTTP bodies counted by a servlet
 * filter (headers not included).
 */
public final class GitBench {

    record Sample(long nanos, long bytesIn, long bytesOut, long requests, long uploadPackPosts) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 1 && args[0].equals("--runs") ? Integer.parseInt(args[1]) : 30;
        Path root = Files.createTempDirectory("temper-bench-git");
        try {
            run(root, runs);
        } finally {
            FileUtils.delete(root.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY);
        }
    }

    static void run(Path root, int runs) throws Exception {
        Path repos = Files.createDirectories(root.resolve("repos"));
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("temper.policies", "policies")))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                files.put("policies/" + p.getFileName(), Files.readString(p));
            }
        }
        if (files.isEmpty()) throw new IOException("no policies/*.yaml found; run from the repository root or set -Dtemper.policies");
        try (PolicyRepo repo = new PolicyRepo(repos, "policies.git"); GitHttpServer server = new GitHttpServer(repos, null, null).start()) {
            // Some history, as a real policy repository has: 50 commits before the measured tip.
            for (int i = 0; i < 50; i++) {
                Map<String, String> f = new LinkedHashMap<>(files);
                f.put("policies/README.md", "history " + i + "\n" + "x".repeat(2000) + "\n");
                repo.commit("history " + i, f);
            }
            repo.commit("tip", files);
            String url = server.url("policies.git");
            String gitVersion = exec(root, "git", "--version").strip();

            // Warm up the JVM (JIT, class loading) on both paths before measuring.
            for (int i = 0; i < 5; i++) {
                jgitCold(root, url, server, i);
                gitCold(root, url, server, i);
            }

            List<Sample> jCold = new ArrayList<>(), gCold = new ArrayList<>(), jWarm = new ArrayList<>(), gWarm = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                jCold.add(jgitCold(root, url, server, 100 + i));
                gCold.add(gitCold(root, url, server, 100 + i));
            }
            // Up to date: the cache already holds the tip.
            PolicyLocation loc = PolicyLocation.parse(url + "#main:policies");
            GitPolicySource poller = new GitPolicySource(new GitFetcher(loc, root.resolve("poll-cache"), GitCredentials.NONE, Duration.ofSeconds(30)), null);
            poller.poll();
            Path gitWarmDir = root.resolve("git-warm.git");
            exec(root, "git", "init", "-q", "--bare", gitWarmDir.toString());
            exec(root, "git", "-C", gitWarmDir.toString(), "fetch", "-q", "--depth", "1", url, "+refs/heads/main:refs/heads/main");
            for (int i = 0; i < 5; i++) poller.poll();
            for (int i = 0; i < runs; i++) {
                server.resetCounters();
                long t0 = System.nanoTime();
                var r = poller.poll();
                long t = System.nanoTime() - t0;
                if (r.outcome() != PolicySource.Outcome.UNCHANGED) throw new IllegalStateException(r.toString());
                jWarm.add(sample(t, server));
                server.resetCounters();
                t0 = System.nanoTime();
                exec(root, "git", "-C", gitWarmDir.toString(), "fetch", "-q", "--depth", "1", url, "+refs/heads/main:refs/heads/main");
                gWarm.add(sample(System.nanoTime() - t0, server));
            }
            // Commit to current: push a commit, then one poll makes it current (parse and all).
            List<Sample> latency = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Map<String, String> f = new LinkedHashMap<>(files);
                f.put("policies/README.md", "change " + i + "\n");
                RevCommit c = repo.commit("change " + i, f);
                server.resetCounters();
                long t0 = System.nanoTime();
                var r = poller.poll();
                long t = System.nanoTime() - t0;
                if (!("main@sha1:" + c.name()).equals(r.revision()) || r.outcome() != PolicySource.Outcome.APPLIED) {
                    throw new IllegalStateException(r.toString());
                }
                latency.add(sample(t, server));
            }

            System.out.printf(Locale.ROOT, "Git policy source benchmark: %d runs each (medians), repo: %d policy files + 51 commits of history,%n",
                    runs, files.size());
            System.out.printf(Locale.ROOT, "served by JGit GitServlet on Jetty at 127.0.0.1; JGit 7.5 (protocol v0) vs %s (protocol v2); %s %s%n%n",
                    gitVersion, System.getProperty("java.vm.name"), System.getProperty("java.version"));
            System.out.printf("%-46s %10s %10s %10s %6s %6s%n", "operation", "time ms", "bytes in", "bytes out", "reqs", "POSTs");
            row("unchanged poll, JGit (ls-remote only)", jWarm);
            row("up-to-date fetch, git CLI (fetch --depth 1)", gWarm);
            row("cold fetch depth 1, JGit (poller's fetcher)", jCold);
            row("cold fetch depth 1, git CLI", gCold);
            row("commit -> current (one poll: fetch+parse)", latency);
            System.out.println("\nbytes in = request bodies to the server, bytes out = response bodies (HTTP headers not counted);");
            System.out.println("git CLI times include starting the git process.");
        }
    }

    private static Sample jgitCold(Path root, String url, GitHttpServer server, int i) throws Exception {
        Path cacheRoot = root.resolve("jcold-" + i);
        PolicyLocation loc = PolicyLocation.parse(url + "#main:policies");
        GitFetcher f = new GitFetcher(loc, cacheRoot, GitCredentials.NONE, Duration.ofSeconds(30));
        server.resetCounters();
        long t0 = System.nanoTime();
        f.fetch();
        long t = System.nanoTime() - t0;
        Sample s = sample(t, server);
        FileUtils.delete(cacheRoot.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
        return s;
    }

    private static Sample gitCold(Path root, String url, GitHttpServer server, int i) throws Exception {
        Path dir = root.resolve("gcold-" + i + ".git");
        exec(root, "git", "init", "-q", "--bare", dir.toString());
        server.resetCounters();
        long t0 = System.nanoTime();
        exec(root, "git", "-C", dir.toString(), "fetch", "-q", "--depth", "1", url, "+refs/heads/main:refs/heads/main");
        long t = System.nanoTime() - t0;
        Sample s = sample(t, server);
        FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
        return s;
    }

    private static Sample sample(long nanos, GitHttpServer s) {
        return new Sample(nanos, s.bytesIn.get(), s.bytesOut.get(), s.requests.get(), s.uploadPackPosts.get());
    }

    private static void row(String name, List<Sample> samples) {
        System.out.printf(Locale.ROOT, "%-46s %10.2f %10d %10d %6d %6d%n", name,
                median(samples.stream().map(Sample::nanos).toList()) / 1e6,
                median(samples.stream().map(Sample::bytesIn).toList()),
                median(samples.stream().map(Sample::bytesOut).toList()),
                median(samples.stream().map(Sample::requests).toList()),
                median(samples.stream().map(Sample::uploadPackPosts).toList()));
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static String exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
