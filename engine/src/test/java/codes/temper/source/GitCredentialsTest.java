package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.cli.CliRun;
import codes.temper.source.PolicySource.Outcome;
import codes.temper.source.PolicySource.PollResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 6. Basic-auth remote: works with the credentials file or Secret mount, fails cleanly without; the secret never shows. */
class GitCredentialsTest {
    static final String SECRET = "s3cr3t-T0KEN-4f1c9e";

    @TempDir Path root;

    @Test
    void basicAuthWorksWithCredentialsAndFailsCleanlyWithoutAndTheSecretNeverShows() throws Exception {
        Path repos = Files.createDirectories(root.resolve("repos"));
        List<String> seen = new ArrayList<>();
        PrintStream realOut = System.out, realErr = System.err;
        var captured = new ByteArrayOutputStream();
        try (PolicyRepo repo = new PolicyRepo(repos, "p.git"); GitHttpServer server = new GitHttpServer(repos, "alice", SECRET).start()) {
            RevCommit c1 = repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
            String url = server.url("p.git");
            PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);

            Path file = Files.writeString(root.resolve("git-credentials"), "# mounted\nusername=alice\npassword=" + SECRET + "\n");
            GitCredentials fromFile = GitCredentials.read(file);
            Path secretDir = Files.createDirectories(root.resolve("secret"));
            Files.writeString(secretDir.resolve("username"), "alice\n");
            Files.writeString(secretDir.resolve("password"), SECRET + "\n");
            GitCredentials fromDir = GitCredentials.read(secretDir);
            GitCredentials wrong = GitCredentials.read(Files.writeString(root.resolve("wrong"), "username: alice\ntoken: nope-" + SECRET.substring(3) + "\n"));
            seen.add(fromFile.toString());
            seen.add(fromDir.toString());
            assertThat(fromFile.toString()).isEqualTo("basic credentials for user \"alice\" (password not shown)");

            for (GitCredentials good : List.of(fromFile, fromDir)) {
                var p = poller(url, root.resolve("cache-" + seen.size()), good);
                PollResult r = p.poll();
                seen.add(r.toString());
                seen.add(p.status().toString());
                assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.APPLIED);
                assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c1.name());
                seen.add(p.current().orElseThrow().toString());
            }

            for (GitCredentials bad : List.of(GitCredentials.NONE, wrong)) {
                var p = poller(url, root.resolve("cache-bad"), bad);
                PollResult r = p.poll();
                seen.add(r.toString());
                seen.add(p.status().toString());
                assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(r.message()).startsWith("cannot list the refs of " + url + ": ");
                assertThat(p.current()).isEmpty();
            }

            CliRun plan = CliRun.of("plan", "--policies", url, "--pods", "../policies/examples/pods.yaml", "--node",
                    "../policies/examples/node.yaml", "--output", "json", "--cache-dir", root.resolve("cli-cache").toString(),
                    "--git-credentials", file.toString());
            assertThat(plan.code()).as(plan.err()).isZero();
            assertThat(plan.out()).contains("\"policyRevision\" : \"main@sha1:" + c1.name() + "\"");
            seen.add(plan.out());
            seen.add(plan.err());
            CliRun refused = CliRun.of("plan", "--policies", url, "--pods", "../policies/examples/pods.yaml", "--node",
                    "../policies/examples/node.yaml", "--cache-dir", root.resolve("cli-cache").toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).startsWith("temper: cannot list the refs of " + url);
            seen.add(refused.err());

            // A password pasted into the URL is refused without repeating it.
            try {
                PolicyLocation.parse("https://alice:" + SECRET + "@git.example.com/p.git");
                throw new AssertionError("accepted a URL with a password");
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).isEqualTo("the URL contains a password; put credentials in a file (--git-credentials) instead");
                seen.add(e.getMessage());
            }
            CliRun inUrl = CliRun.of("plan", "--policies", "https://alice:" + SECRET + "@git.example.com/p.git", "--pods",
                    "../policies/examples/pods.yaml", "--node", "../policies/examples/node.yaml");
            assertThat(inUrl.code()).isEqualTo(1);
            seen.add(inUrl.err());
            seen.add(inUrl.out());
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
        }
        seen.add(captured.toString(StandardCharsets.UTF_8));
        assertThat(seen).isNotEmpty().allSatisfy(s -> assertThat(s).doesNotContain(SECRET).doesNotContain(SECRET.substring(3)));
    }

    @Test
    void credentialFilesAreCheckedWithoutEchoingThem() throws Exception {
        Path noPass = Files.writeString(root.resolve("a"), "username=bob\n");
        Path badKey = Files.writeString(root.resolve("b"), "user=bob\npassword=" + SECRET + "\n");
        Path key = Files.writeString(root.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        assertThat(failure(noPass)).isEqualTo(noPass + ": no password or token line");
        assertThat(failure(badKey)).isEqualTo(badKey + ":1: unknown key \"user\"; expected username, password or token");
        assertThat(GitCredentials.read(key)).isInstanceOf(GitCredentials.SshKey.class);
        assertThat(GitCredentials.read(key).toString()).isEqualTo("ssh key " + key);
        assertThat(GitCredentials.read(Files.writeString(root.resolve("t"), "token=" + SECRET + "\n")))
                .isInstanceOfSatisfying(GitCredentials.Basic.class, b -> assertThat(b.username()).isEqualTo("git"));
    }

    private static String failure(Path p) {
        try {
            GitCredentials.read(p);
            throw new AssertionError("accepted " + p);
        } catch (java.io.IOException e) {
            assertThat(e.getMessage()).doesNotContain(SECRET);
            return e.getMessage();
        }
    }

    private static GitPolicySource poller(String url, Path cache, GitCredentials creds) {
        PolicyLocation loc = PolicyLocation.parse(url);
        return new GitPolicySource(new GitFetcher(loc, cache, creds, Duration.ofSeconds(10)), null,
                CommitVerifier.UNSIGNED_ALLOWED, PolicySource.EvaluationCheck.NONE, Clock.systemUTC());
    }
}
