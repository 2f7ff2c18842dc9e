package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.cli.CliRun;
import codes.temper.source.PolicySource.Outcome;
import codes.temper.source.PolicySource.PollResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Git policy source against a real smart-HTTP server (JGit's GitServlet on Jetty) and
 * file:// remotes: new commits, broken commits, remote down and restart, force-push, deleted ref,
 * damaged cache, tags, pinned commits, subdirectories, credentials, and `temper plan` on a URL.
 */
class GitPolicySourceTest {
    static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir Path root;
    Path repos;
    Path cache;
    Path lkgFile;
    PolicyRepo repo;
    GitHttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        repos = Files.createDirectories(root.resolve("repos"));
        cache = root.resolve("cache");
        lkgFile = root.resolve("state/last-known-good.json");
        repo = new PolicyRepo(repos, "policies.git");
        server = new GitHttpServer(repos, null, null).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        repo.close();
    }

    GitPolicySource poller(String spec, Path cacheRoot, GitCredentials creds, Clock clock) {
        PolicyLocation loc = PolicyLocation.parse(spec);
        return new GitPolicySource(new GitFetcher(loc, cacheRoot, creds, Duration.ofSeconds(10)),
                new LastKnownGood(lkgFile, loc), CommitVerifier.UNSIGNED_ALLOWED, PolicySource.EvaluationCheck.NONE, clock);
    }

    GitPolicySource poller(String spec) {
        return poller(spec, cache, GitCredentials.NONE, Clock.systemUTC());
    }

    static String content(GitPolicySource p, String file) {
        return p.current().orElseThrow().files().stream().filter(f -> f.name().equals(file)).findFirst()
                .map(f -> new String(f.content(), StandardCharsets.UTF_8)).orElseThrow();
    }

    // 1. A new commit is picked up on the next poll; an unchanged remote transfers no objects.
    @Test
    void newCommitIsPickedUpAndAnUnchangedRemoteIsNotFetched() throws Exception {
        RevCommit c1 = repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        GitPolicySource p = poller(server.url("policies.git"));
        assertThat(p.current()).isEmpty();

        PollResult first = p.poll();
        assertThat(first.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c1.name());
        assertThat(p.current().orElseThrow().files()).extracting(f -> f.name()).containsExactly("tiers.yaml");
        assertThat(server.uploadPackPosts.get()).isPositive();

        server.resetCounters();
        assertThat(p.poll().outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(server.uploadPackPosts.get()).isZero();
        assertThat(server.requests.get()).isEqualTo(1); // the ref advertisement only
        assertThat(p.status().lastSuccessfulPoll()).isNotNull();

        RevCommit c2 = repo.commit("halve critical", Map.of("tiers.yaml", PolicyRepo.tiers("50%")));
        server.resetCounters();
        PollResult next = p.poll();
        assertThat(next.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(next.revision()).isEqualTo("main@sha1:" + c2.name());
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c2.name());
        assertThat(content(p, "tiers.yaml")).contains("cpus: \"50%\"");
        assertThat(server.uploadPackPosts.get()).isPositive();
        assertThat(p.current().orElseThrow().policy().tierPolicy().tiers().getFirst().ceiling().value()).isEqualTo(50.0);
    }

    // 2. A broken commit is rejected with validate's problems and its commit id; the previous stays.
    @Test
    void brokenCommitIsRejectedAndThePreviousRevisionStays() throws Exception {
        RevCommit good = repo.commit("good", Map.of("policies/tiers.yaml", PolicyRepo.tiers("100%")));
        GitPolicySource p = poller(server.url("policies.git") + "#main:policies");
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);

        RevCommit bad = repo.commit("oops", Map.of("policies/tiers.yaml", PolicyRepo.tiers("150%")));
        PollResult r = p.poll();
        assertThat(r.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + good.name());
        Rejected rej = p.status().lastRejection();
        assertThat(rej.commit()).isEqualTo(bad.name());
        assertThat(rej.revision()).isEqualTo("main@sha1:" + bad.name());
        // Line 8 is `    ceiling: {cpus: "150%"}`; the value starts at column 21.
        assertThat(rej.problems()).extracting(Object::toString)
                .containsExactly("policies/tiers.yaml:8:21: spec.tiers[0].ceiling.cpus: \"150%\" is outside (0, 100%]");
        assertThat(r.message()).contains(bad.name()).contains("policies/tiers.yaml:8:21:");

        // The same problem, word for word, as `temper validate` prints for that file in a directory.
        Path dir = Files.createDirectories(root.resolve("checkout/policies"));
        Files.writeString(dir.resolve("tiers.yaml"), PolicyRepo.tiers("150%"));
        CliRun v = CliRun.of("validate", dir.toString());
        assertThat(v.code()).isEqualTo(1);
        assertThat(v.err()).contains(root.resolve("checkout") + "/" + rej.problems().getFirst());

        // Polling again does not re-apply or forget anything.
        assertThat(p.poll().outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + good.name());
        assertThat(p.status().lastRejection().commit()).isEqualTo(bad.name());

        RevCommit fixed = repo.commit("fix", Map.of("policies/tiers.yaml", PolicyRepo.tiers("90%")));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + fixed.name());
    }

    @Test
    void aFailingEvaluationCheckOrVerifierKeepsThePreviousRevision() throws Exception {
        RevCommit good = repo.commit("good", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        PolicyLocation loc = PolicyLocation.parse(server.url("policies.git"));
        var fetcher = new GitFetcher(loc, cache, GitCredentials.NONE, Duration.ofSeconds(10));
        var p = new GitPolicySource(fetcher, null, c -> new CommitVerifier.Verdict(!c.getFullMessage().contains("unsigned"), "test verifier"),
                set -> {
                    if (set.tierPolicy().tiers().size() > 2) throw new IllegalStateException("rules refuse three tiers");
                }, Clock.systemUTC());
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);

        RevCommit three = repo.commit("three tiers", Map.of("tiers.yaml", PolicyRepo.tiers("100%") + "  - {name: low, match: [{priorityBelow: 0}]}\n"));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(p.status().lastRejection().reason()).isEqualTo("evaluation failed: rules refuse three tiers");
        assertThat(p.status().lastRejection().commit()).isEqualTo(three.name());

        RevCommit unsigned = repo.commit("unsigned change", Map.of("tiers.yaml", PolicyRepo.tiers("60%")));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(p.status().lastRejection().reason()).isEqualTo("commit verification: test verifier");
        assertThat(p.status().lastRejection().commit()).isEqualTo(unsigned.name());
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + good.name());
    }

    // 3. Remote down: last good stays; a restart with the remote still down comes up from disk.
    @Test
    void remoteDownKeepsLastGoodAndARestartComesUpFromDisk() throws Exception {
        RevCommit c1 = repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("75%")));
        GitPolicySource p = poller(server.url("policies.git"), cache, GitCredentials.NONE, Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(Files.exists(lkgFile)).isTrue();
        String url = server.url("policies.git");

        server.close();
        PollResult down = p.poll();
        assertThat(down.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(down.message()).startsWith("cannot list the refs of " + url);
        assertThat(p.poll().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(p.status().consecutiveFailures()).isEqualTo(2);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c1.name());

        // Restart one hour later, remote still down, and not even a Git cache left.
        Clock later = Clock.fixed(T0.plus(Duration.ofHours(1)), ZoneOffset.UTC);
        GitPolicySource restarted = poller(url, root.resolve("empty-cache"), GitCredentials.NONE, later);
        AppliedRevision cur = restarted.current().orElseThrow();
        assertThat(cur.revision()).isEqualTo("main@sha1:" + c1.name());
        assertThat(cur.fromDisk()).isTrue();
        assertThat(cur.fetchedAt()).isEqualTo(T0);
        assertThat(cur.age(later.instant())).isEqualTo(Duration.ofHours(1));
        assertThat(cur.policy().tierPolicy().tiers().getFirst().ceiling().value()).isEqualTo(75.0);
        assertThat(restarted.status().lastKnownGoodProblem()).isNull();
        assertThat(restarted.poll().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(restarted.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c1.name());
        assertThat(restarted.status().consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void aCorruptLastKnownGoodFileIsReportedAndIgnored() throws Exception {
        Files.createDirectories(lkgFile.getParent());
        Files.writeString(lkgFile, "{\"format\": 1, \"revision\": tru");
        GitPolicySource p = poller(server.url("policies.git"));
        assertThat(p.current()).isEmpty();
        assertThat(p.status().lastKnownGoodProblem()).startsWith(lkgFile + ": corrupt last-known-good file");

        // A well-formed file from another remote is not used either.
        RevCommit c1 = repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("75%")));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);
        GitPolicySource other = poller("file:///elsewhere/policies.git");
        assertThat(other.current()).isEmpty();
        assertThat(other.status().lastKnownGoodProblem()).contains("is from " + server.url("policies.git"));
        // And the good one comes back for its own remote.
        assertThat(poller(server.url("policies.git")).current().orElseThrow().commit()).isEqualTo(c1.name());
    }

    // 4. Force-push, deleted ref, damaged cache.
    @Test
    void forcePushToAnUnrelatedCommitIsFollowed() throws Exception {
        repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        repo.commit("second", Map.of("tiers.yaml", PolicyRepo.tiers("90%")));
        GitPolicySource p = poller(server.url("policies.git"));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);

        RevCommit rewritten = repo.forcePushUnrelated(Map.of("tiers.yaml", PolicyRepo.tiers("30%")));
        assertThat(rewritten.getParentCount()).isZero();
        PollResult r = p.poll();
        assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + rewritten.name());
        assertThat(content(p, "tiers.yaml")).contains("30%");
    }

    @Test
    void aDeletedRefIsReportedAndTheLastGoodStays() throws Exception {
        RevCommit c1 = repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        GitPolicySource p = poller(server.url("policies.git"));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);

        repo.deleteRef("refs/heads/main");
        PollResult r = p.poll();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.message()).isEqualTo("ref \"main\" not found at " + server.url("policies.git") + " (deleted, or never pushed)");
        assertThat(p.status().lastFailure()).isEqualTo(r.message());
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c1.name());

        RevCommit back = repo.commit("restored", Map.of("tiers.yaml", PolicyRepo.tiers("40%")));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + back.name());
        assertThat(p.status().consecutiveFailures()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"delete-objects", "truncate-packs", "garbage-config", "garbage-head", "garbage-ref"})
    void aDamagedCacheIsRecreated(String damage) throws Exception {
        repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        GitPolicySource p = poller(server.url("policies.git"));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);
        Path dir = PolicyLocation.parse(server.url("policies.git")).cacheDir(cache);
        assertThat(dir.resolve("objects")).isDirectory();
        damage(dir, damage);

        RevCommit c2 = repo.commit("second", Map.of("tiers.yaml", PolicyRepo.tiers("20%")));
        PollResult r = p.poll();
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.APPLIED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c2.name());
        assertThat(content(p, "tiers.yaml")).contains("20%");
        // And the recreated cache serves the cheap path again.
        server.resetCounters();
        assertThat(p.poll().outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(server.uploadPackPosts.get()).isZero();
    }

    @Test
    void aDamagedCacheAtAnUnchangedRefIsRefetched() throws Exception {
        RevCommit c1 = repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        PolicyLocation loc = PolicyLocation.parse(server.url("policies.git"));
        GitFetcher f = new GitFetcher(loc, cache, GitCredentials.NONE, Duration.ofSeconds(10));
        assertThat(f.fetch().transferred()).isTrue();
        damage(f.cacheDir(), "delete-objects");
        GitFetcher.Fetched again = f.fetch();
        assertThat(again.commitId()).isEqualTo(c1.getId());
        assertThat(again.transferred()).isTrue();
        assertThat(f.files(again.commitId())).extracting(x -> x.name()).containsExactly("tiers.yaml");
    }

    @Test
    void aCacheThatCannotBeCreatedIsReportedNotThrown() throws Exception {
        repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        Path notADir = Files.writeString(root.resolve("cache-is-a-file"), "x");
        GitPolicySource p = poller(server.url("policies.git"), notADir, GitCredentials.NONE, Clock.systemUTC());
        PollResult r = p.poll();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.message()).startsWith("fetch failed, also into a fresh cache " + notADir);
        assertThat(p.current()).isEmpty();
        assertThat(p.status().consecutiveFailures()).isEqualTo(1);
    }

    static void damage(Path dir, String how) throws IOException {
        switch (how) {
            case "delete-objects" -> {
                try (Stream<Path> s = Files.walk(dir.resolve("objects"))) {
                    for (Path f : s.filter(Files::isRegularFile).toList()) Files.delete(f);
                }
            }
            case "truncate-packs" -> {
                try (Stream<Path> s = Files.walk(dir.resolve("objects"))) {
                    List<Path> packs = s.filter(f -> f.toString().endsWith(".pack") || f.toString().endsWith(".idx")).toList();
                    assertThat(packs).isNotEmpty();
                    for (Path f : packs) Files.write(f, new byte[7]);
                }
            }
            case "garbage-config" -> Files.writeString(dir.resolve("config"), "[core\n\u0000garbage = = =\n");
            case "garbage-head" -> Files.writeString(dir.resolve("HEAD"), "not a ref at all\n");
            case "garbage-ref" -> {
                Path ref = dir.resolve("refs/temper/heads/main");
                if (!Files.exists(ref)) throw new IOException("expected a loose ref at " + ref);
                Files.writeString(ref, "zzzz\n");
            }
            default -> throw new IllegalArgumentException(how);
        }
    }

    // 5. Tags, pinned commits, subdirectories, and `temper plan` on a URL.
    @Test
    void tagPinnedCommitAndSubdirectory() throws Exception {
        RevCommit c1 = repo.commit("release", Map.of("policies/tiers.yaml", PolicyRepo.tiers("100%"),
                "broken-at-root.yaml", "this: [is not read", "policies/tests/t.yaml", "not: read"));
        repo.tag("v1");
        RevCommit c2 = repo.commit("after", Map.of("policies/tiers.yaml", PolicyRepo.tiers("10%")));
        String url = server.url("policies.git");

        GitPolicySource tag = poller(url + "#v1:policies");
        assertThat(tag.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(tag.current().orElseThrow().revision()).isEqualTo("v1@sha1:" + c1.name()); // the commit, not the tag object
        assertThat(tag.current().orElseThrow().files()).extracting(f -> f.name()).containsExactly("policies/tiers.yaml");
        assertThat(content(tag, "policies/tiers.yaml")).contains("100%");

        GitPolicySource branch = poller(url + "#main:policies/");
        assertThat(branch.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(branch.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c2.name());

        GitPolicySource pinned = poller(url + "#" + c1.name() + ":policies");
        assertThat(pinned.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(pinned.current().orElseThrow().revision()).isEqualTo(c1.name() + "@sha1:" + c1.name());
        server.resetCounters();
        assertThat(pinned.poll().outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(server.requests.get()).isZero(); // a pinned commit in the cache needs no network

        GitPolicySource fileUrl = poller(repo.bare.toUri() + "#v1:policies");
        assertThat(fileUrl.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(fileUrl.current().orElseThrow().revision()).isEqualTo("v1@sha1:" + c1.name());

        GitPolicySource root = poller(url + "#v1");
        PollResult r = root.poll();
        assertThat(r.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(root.status().lastRejection().problems().getFirst().file()).isEqualTo("broken-at-root.yaml");

        GitPolicySource missing = poller(url + "#main:nope");
        assertThat(missing.poll().outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(missing.status().lastRejection().problems()).extracting(Object::toString)
                .containsExactly("nope:1:1: no such directory at commit " + c2.name());

        GitPolicySource unknown = poller(url + "#v2");
        assertThat(unknown.poll().message()).isEqualTo("ref \"v2\" not found at " + url + " (deleted, or never pushed)");

        GitPolicySource notOnRemote = poller(url + "#" + "0123456789abcdef0123456789abcdef01234567");
        assertThat(notOnRemote.poll().message())
                .isEqualTo("commit 0123456789abcdef0123456789abcdef01234567 is not on any branch or tag of " + url);
    }

    @Test
    void planAgainstARemote() throws Exception {
        RevCommit c1 = repo.commit("release", Map.of("policies/tiers.yaml", PolicyRepo.tiers("100%")));
        Path pods = Path.of("../policies/examples/pods.yaml"), node = Path.of("../policies/examples/node.yaml");
        for (String spec : List.of(server.url("policies.git") + "#main:policies", repo.bare.toUri() + "#main:policies")) {
            CliRun run = CliRun.of("plan", "--policies", spec, "--pods", pods.toString(), "--node", node.toString(),
                    "--output", "json", "--cache-dir", cache.toString());
            assertThat(run.code()).as(run.err()).isZero();
            var json = JsonMapper.builder().build().readTree(run.out());
            assertThat(json.get("policyRevision").asString()).isEqualTo("main@sha1:" + c1.name());
            assertThat(json.get("tiers").get(0).get("name").asString()).isEqualTo("critical");
        }
        CliRun gone = CliRun.of("plan", "--policies", server.url("policies.git") + "#nope", "--pods", pods.toString(),
                "--node", node.toString(), "--cache-dir", cache.toString());
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).isEqualTo("temper: ref \"nope\" not found at " + server.url("policies.git") + " (deleted, or never pushed)\n");
    }

    @Test
    void everyNetworkOperationTimesOut() throws Exception {
        // A server that accepts connections and never answers.
        try (var silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    while (true) silent.accept();
                } catch (IOException closed) {
                    // test over
                }
            });
            PolicyLocation loc = PolicyLocation.parse("http://127.0.0.1:" + silent.getLocalPort() + "/policies.git");
            var p = new GitPolicySource(new GitFetcher(loc, cache, GitCredentials.NONE, Duration.ofSeconds(1)), null);
            PollResult r = p.poll();
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.message()).containsIgnoringCase("timed out");
            t.interrupt();
        }
    }
}
