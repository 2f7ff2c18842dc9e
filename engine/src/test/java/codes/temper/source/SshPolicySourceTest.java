package codes.temper.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import codes.temper.source.PolicySource.Outcome;
import codes.temper.source.PolicySource.PollResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh transport against a real OpenSSH server (Debian's sshd, started by the test on
 * 127.0.0.1 with its own host key and authorized key): a key from a mounted Secret fetches the
 * revision, and a known_hosts that does not match the server's host key is refused.
 */
class SshPolicySourceTest {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    @TempDir Path root;
    Process sshd;
    int port;
    PolicyRepo repo;
    Path secret;

    @BeforeEach
    void startSshd() throws Exception {
        assumeTrue(Files.isExecutable(SSHD) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "openssh-server needed");
        try {
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        } catch (IOException e) {
            assumeTrue(false, "sshd needs /run/sshd (run as root): " + e);
        }
        repo = new PolicyRepo(Files.createDirectories(root.resolve("repos")), "policies.git");
        keygen(root.resolve("host_key"));
        secret = Files.createDirectories(root.resolve("secret"));
        keygen(secret.resolve("ssh-privatekey"));
        Files.move(secret.resolve("ssh-privatekey.pub"), root.resolve("authorized_keys"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(secret.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + Files.readString(root.resolve("host_key.pub")));
        Path config = Files.writeString(root.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + root.resolve("host_key"),
                "AuthorizedKeysFile " + root.resolve("authorized_keys"), "PubkeyAuthentication yes",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
                "PermitRootLogin prohibit-password", "PidFile none", "") );
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(root.resolve("sshd.log").toFile()).start();
        for (int i = 0; i < 100 && !listening(); i++) Thread.sleep(50);
        assertThat(listening()).as("sshd listening; log: %s", Files.readString(root.resolve("sshd.log"))).isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor(5, TimeUnit.SECONDS);
        }
        if (repo != null) repo.close();
    }

    boolean listening() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void keygen(Path file) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
    }

    GitPolicySource poller(GitCredentials creds) {
        String url = "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + repo.bare.toAbsolutePath();
        PolicyLocation loc = PolicyLocation.parse(url);
        return new GitPolicySource(new GitFetcher(loc, root.resolve("cache"), creds, Duration.ofSeconds(20)),
                new LastKnownGood(root.resolve("lkg.json"), loc), CommitVerifier.UNSIGNED_ALLOWED,
                PolicySource.EvaluationCheck.NONE, Clock.systemUTC());
    }

    @Test
    void aKeyFromASecretFetchesOverSsh() throws Exception {
        RevCommit c = repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        GitPolicySource p = poller(GitCredentials.read(secret));
        PollResult r = p.poll();
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.APPLIED);
        assertThat(p.current().orElseThrow().revision()).isEqualTo("main@sha1:" + c.name());
        assertThat(p.poll().outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void aHostKeyNotInKnownHostsIsRefused() throws Exception {
        repo.commit("first", Map.of("tiers.yaml", PolicyRepo.tiers("100%")));
        keygen(root.resolve("other_host_key"));
        Files.writeString(secret.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + Files.readString(root.resolve("other_host_key.pub")));
        GitPolicySource p = poller(GitCredentials.read(secret));
        PollResult r = p.poll();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.message()).contains("Server key did not validate").doesNotContain("PRIVATE KEY");
        assertThat(p.current()).isEmpty();
    }
}
