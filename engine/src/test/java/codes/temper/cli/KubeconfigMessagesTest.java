package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25, point 7: a command that reads the cluster says which server it tried and where it got
 * that from (which kubeconfig, which context), or that it found no kubeconfig at all, as kubectl
 * does; {@code TEMPER_DEBUG=1} adds the stack trace, as docs/troubleshooting.md says. Run as a
 * process of its own, with a home directory and environment of the test's making.
 */
class KubeconfigMessagesTest {
    @TempDir
    Path home;

    record Run(int code, String output) {
    }

    Run temper(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("KUBE") || k.equals("TEMPER_DEBUG"));
        pb.environment().put("HOME", home.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void withNoKubeconfigAnywhereItSaysSoAndWhereItLooked() throws Exception {
        Run r = temper(Map.of(), "status");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.output().strip()).isEqualTo("temper: no kubeconfig found: --kubeconfig not given, $KUBECONFIG not set, "
                + home.resolve(".kube/config") + " does not exist, and not in a cluster ($KUBERNETES_SERVICE_HOST not set);"
                + " give --kubeconfig FILE");
    }

    @Test
    void anUnreachableServerIsNamedWithTheKubeconfigAndContextItCameFrom() throws Exception {
        Path kc = Files.createDirectories(home.resolve(".kube")).resolve("config");
        Kubeconfig.write(kc, Map.of("prod", "https://127.0.0.1:1"), "prod");
        Run r = temper(Map.of(), "status", "--request-timeout", "2s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.output()).startsWith("temper: cannot reach the API server https://127.0.0.1:1/ (kubeconfig " + kc + ", context prod): ")
                .contains("connection refused (ConnectException)").doesNotContain("Operation: [list]").doesNotContain("\tat ");
        assertThat(r.output().lines().count()).isEqualTo(1);

        Run viaEnv = temper(Map.of("KUBECONFIG", kc.toString()), "plan", "--policies", "../policies", "--node", "node-a", "--request-timeout", "2s");
        assertThat(viaEnv.output()).startsWith("temper: cannot reach the API server https://127.0.0.1:1/ (kubeconfig " + kc
                + " from $KUBECONFIG, context prod): ");

        Run debug = temper(Map.of("TEMPER_DEBUG", "1"), "status", "--request-timeout", "2s");
        assertThat(debug.output()).startsWith("temper: cannot reach the API server").contains("\tat ").contains("ConnectException");
    }
}
