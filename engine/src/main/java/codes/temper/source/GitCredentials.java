package codes.temper.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Credentials for the policy remote, read from files as a mounted Kubernetes Secret provides them.
 * The secret part is never part of {@link #toString()} or of any exception message: operators
 * paste logs into tickets.
 *
 * <ul>
 *   <li>A <b>directory</b> (a mounted Secret): files {@code username} and {@code password} (or
 *       {@code token}) give HTTP basic credentials (type {@code kubernetes.io/basic-auth});
 *       a file {@code ssh-privatekey} gives an SSH key (type {@code kubernetes.io/ssh-auth}),
 *       with {@code known_hosts} beside it.</li>
 *   <li>A <b>file</b> starting with {@code -----BEGIN}: an SSH private key; {@code known_hosts}
 *       is looked up in the same directory (no known host means the connection is refused).</li>
 *   <li>Any other <b>file</b>: lines {@code username=...} and {@code password=...} or
 *       {@code token=...} ({@code key: value} also accepted; '#' starts a comment).</li>
 * </ul>
 * A token without a username is sent with the username {@code git}; hosts that use tokens ignore it.
 */
public sealed interface GitCredentials {

    GitCredentials NONE = new None();

    /** Applies these credentials to a transport before it connects. */
    void configure(Transport transport);

    record None() implements GitCredentials {
        @Override
        public void configure(Transport transport) {
        }
    }

    /** HTTP basic credentials. The password is kept as chars only to hand it to JGit. */
    final class Basic implements GitCredentials {
        private final String username;
        private final char[] password;

        public Basic(String username, char[] password) {
            this.username = username;
            this.password = password.clone();
        }

        public String username() {
            return username;
        }

        CredentialsProvider provider() {
            return new UsernamePasswordCredentialsProvider(username, password.clone());
        }

        @Override
        public void configure(Transport transport) {
            transport.setCredentialsProvider(provider());
        }

        @Override
        public String toString() {
            return "basic credentials for user \"" + username + "\" (password not shown)";
        }
    }

    /** An SSH private key; host keys are checked against {@code known_hosts} in the key's directory. */
    final class SshKey implements GitCredentials {
        private final Path keyFile;
        private final SshdSessionFactory factory;

        public SshKey(Path keyFile) {
            this.keyFile = keyFile;
            Path dir = keyFile.toAbsolutePath().getParent();
            this.factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(dir.toFile())
                    .setSshDirectory(dir.toFile())
                    .setPreferredAuthentications("publickey")
                    .setDefaultIdentities(d -> List.of(keyFile.toAbsolutePath()))
                    .build(null);
        }

        @Override
        public void configure(Transport transport) {
            if (transport instanceof SshTransport ssh) ssh.setSshSessionFactory(factory);
        }

        @Override
        public String toString() {
            return "ssh key " + keyFile;
        }
    }

    /** Reads credentials from a Secret mount or a file; the message of a failure names no secret. */
    static GitCredentials read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path key = path.resolve("ssh-privatekey");
            if (Files.isRegularFile(key)) return new SshKey(key);
            String user = readTrimmed(path.resolve("username"));
            String pass = readTrimmed(path.resolve("password"));
            if (pass == null) pass = readTrimmed(path.resolve("token"));
            if (pass == null) {
                throw new IOException(path + ": a credentials directory needs files username and password (or token), or ssh-privatekey");
            }
            return new Basic(user == null ? "git" : user, pass.toCharArray());
        }
        if (!Files.isRegularFile(path)) throw new IOException(path + ": no such credentials file or directory");
        byte[] bytes = Files.readAllBytes(path);
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.stripLeading().startsWith("-----BEGIN")) return new SshKey(path);
        Map<String, String> kv = new HashMap<>();
        int lineNo = 0;
        for (String line : text.split("\r?\n")) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            int eq = l.indexOf('='), colon = l.indexOf(':');
            int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (sep <= 0) throw new IOException(path + ":" + lineNo + ": expected key=value (username, password or token)");
            String k = l.substring(0, sep).strip();
            if (!List.of("username", "password", "token").contains(k)) {
                throw new IOException(path + ":" + lineNo + ": unknown key \"" + k + "\"; expected username, password or token");
            }
            kv.put(k, l.substring(sep + 1).strip());
        }
        String pass = kv.getOrDefault("password", kv.get("token"));
        if (pass == null || pass.isEmpty()) throw new IOException(path + ": no password or token line");
        return new Basic(kv.getOrDefault("username", "git"), pass.toCharArray());
    }

    private static String readTrimmed(Path p) throws IOException {
        return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : null;
    }
}
