package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.cli.CliRun;
import codes.temper.source.PolicySource.Outcome;
import codes.temper.source.PolicySource.PollResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed-commit mode end to end: the poller (and `temper plan --trusted-keys`) over a real
 * smart-HTTP server accepts a commit signed by a trusted key and refuses unsigned commits, commits
 * signed by an unknown key and commits carrying another signature type, keeping the last good.
 */
class SignedPolicySourceTest {
    static OpenPGPKey trusted;
    static OpenPGPKey stranger;

    @TempDir Path root;
    Path keys;
    PolicyRepo repo;
    GitHttpServer server;

    @BeforeAll
    static void generateKeys() throws Exception {
        trusted = OpenPgpFixtures.API.generateKey(4).ed25519x25519Key("Policy Admin <admin@example.org>").build();
        stranger = OpenPgpFixtures.API.generateKey(4).ed25519x25519Key("Stranger <x@example.org>").build();
    }

    @BeforeEach
    void setUp() throws Exception {
        Path repos = Files.createDirectories(root.resolve("repos"));
        keys = Files.createDirectories(root.resolve("keys"));
        Files.writeString(keys.resolve("admin.asc"), trusted.toCertificate().toAsciiArmoredString());
        repo = new PolicyRepo(repos, "policies.git");
        server = new GitHttpServer(repos, null, null).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        repo.close();
    }

    GitPolicySource poller() throws Exception {
        PolicyLocation loc = PolicyLocation.parse(server.url("policies.git"));
        return new GitPolicySource(new GitFetcher(loc, root.resolve("cache"), GitCredentials.NONE, Duration.ofSeconds(10)),
                new LastKnownGood(root.resolve("lkg.json"), loc), new OpenPgpCommitVerifier(keys),
                PolicySource.EvaluationCheck.NONE, Clock.systemUTC());
    }

    @Test
    void onlyCommitsSignedByATrustedOpenPgpKeyBecomeCurrent() throws Exception {
        repo.commit("signed", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        RevCommit good = repo.signLast(bytes -> OpenPgpFixtures.sign(trusted, bytes));
        GitPolicySource p = poller();
        assertThat(p.poll().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + good.name());

        RevCommit unsigned = repo.commit("unsigned", Map.of("tiers.yaml", PolicyRepo.tiers("50%")));
        PollResult r = p.poll();
        assertThat(r.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(p.status().lastRejection().reason()).contains("commit " + unsigned.name() + " is not signed");
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + good.name());

        repo.commit("by a stranger", Map.of("tiers.yaml", PolicyRepo.tiers("40%")));
        repo.signLast(bytes -> OpenPgpFixtures.sign(stranger, bytes));
        assertThat(p.poll().outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(p.status().lastRejection().reason()).contains("unknown signer key");
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + good.name());

        repo.commit("ssh-signed", Map.of("tiers.yaml", PolicyRepo.tiers("30%")));
        repo.signLast(bytes -> OpenPgpFixtures.sshSignature());
        assertThat(p.poll().outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(p.status().lastRejection().reason()).contains("SSH signature; only OpenPGP signatures are accepted");
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + good.name());
    }

    @Test
    void planRefusesAnUnsignedRevisionInSignedMode() throws Exception {
        repo.commit("signed", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        RevCommit good = repo.signLast(bytes -> OpenPgpFixtures.sign(trusted, bytes));
        Path node = Files.writeString(root.resolve("node.yaml"), """
                apiVersion: v1
                kind: Node
                metadata: {name: n1}
                status: {allocatable: {cpu: "4"}, nodeInfo: {kernelVersion: 6.12.1}}
                """);
        Path pods = Files.writeString(root.resolve("pods.yaml"), "apiVersion: v1\nkind: List\nitems: []\n");
        String[] args = {"plan", "--policies", server.url("policies.git"), "--trusted-keys", keys.toString(),
                "--cache-dir", root.resolve("cli-cache").toString(), "--pods", pods.toString(), "--node", node.toString(), "--output", "json"};
        CliRun ok = CliRun.of(args);
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("\"policyRevision\" : \"main@sha1:" + good.name() + "\"");

        RevCommit unsigned = repo.commit("unsigned", Map.of("tiers.yaml", PolicyRepo.tiers("50%")));
        CliRun refused = CliRun.of(args);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).isEqualTo("temper: commit " + unsigned.name() + " is not signed\n");
    }
}
