package codes.temper.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** gpg and git in a throwaway GNUPGHOME / HOME, no user or system configuration. */
final class GpgCli {
    final Path home;
    final Path gnupg;

    GpgCli(Path tmp) throws IOException {
        home = Files.createDirectory(tmp.resolve("home"));
        gnupg = Files.createDirectory(tmp.resolve("gnupg"));
        gnupg.toFile().setReadable(false, false);
        gnupg.toFile().setReadable(true, true);
        gnupg.toFile().setExecutable(false, false);
        gnupg.toFile().setExecutable(true, true);
    }

    static void assumeGpgAndGit() {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("gpg"), "gpg is not installed");
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("git"), "git is not installed");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    String run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(false);
        Map<String, String> env = pb.environment();
        env.put("GNUPGHOME", gnupg.toString());
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", home.resolve("no-gitconfig").toString());
        env.put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] err = p.getErrorStream().readAllBytes();
        byte[] out = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + rc + ": "
                    + new String(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** @return the new key's 40-hex fingerprint */
    String generateKey(String uid) throws IOException, InterruptedException {
        run(home, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                "--quick-gen-key", uid, "ed25519", "sign", "never");
        for (String line : run(home, "gpg", "--batch", "--with-colons", "--fingerprint", uid)
                .split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no fingerprint for " + uid);
    }

    String exportArmored(String fingerprint) throws IOException, InterruptedException {
        return run(home, "gpg", "--batch", "--armor", "--export", fingerprint);
    }

    /** A new repository with one commit made by {@code git commit -S}; its work tree. */
    Path signedCommit(String fingerprint, String message)
            throws IOException, InterruptedException {
        Path work = Files.createDirectory(home.resolve("repo"));
        run(work, "git", "init", "-q");
        Files.writeString(work.resolve("tiers.yaml"), "apiVersion: temper.codes/v1\n");
        run(work, "git", "add", "tiers.yaml");
        run(work, "git", "-c", "user.name=Dev Eloper", "-c", "user.email=dev@example.org",
                "-c", "gpg.program=gpg", "-c", "gpg.format=openpgp",
                "-c", "user.signingkey=" + fingerprint, "commit", "-q", "-S", "-m", message);
        return work;
    }

    void close() {
        try {
            run(home, "gpgconf", "--kill", "all");
        } catch (Exception | AssertionError ignored) {
            // best effort: the agent exits by itself once GNUPGHOME is gone
        }
    }
}
