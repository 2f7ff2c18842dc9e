package codes.temper.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian sid's kubectl (scripts/fetch-kubectl.sh), run as a user types it, with KUBECONFIG pointing at the control plane. */
public final class Kubectl {
    private static Path bin;

    public record Run(int exit, String out, long startNanos, long exitedNanos) {
    }

    private Kubectl() {
    }

    static synchronized Path bin() throws IOException, InterruptedException {
        if (bin != null) return bin;
        Process p = new ProcessBuilder("bash", ControlPlane.REPO.resolve("scripts/fetch-kubectl.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException("scripts/fetch-kubectl.sh failed");
        bin = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        return bin;
    }

    /** kubectl ARGS with this kubeconfig; HOME is a scratch directory for kubectl's discovery cache. */
    public static Run run(Path kubeconfig, Path home, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(bin().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", Files.createDirectories(home).toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("kubectl " + String.join(" ", args) + " did not finish");
        }
        return new Run(p.exitValue(), out, t0, System.nanoTime());
    }
}
