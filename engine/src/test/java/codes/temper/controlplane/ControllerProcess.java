package codes.temper.controlplane;

import codes.temper.cli.Main;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code temper controller} as the chart runs it, as a process: in-cluster configuration with a
 * token of the chart's temper-controller ServiceAccount bound to the Deployment's (Pending) pod,
 * the chart's JVM options, the fleet page on a free port.
 */
public final class ControllerProcess implements AutoCloseable {
    private static final Pattern FLEET_PAGE = Pattern.compile("fleet page on 127\\.0\\.0\\.1:(\\d+)");

    public final Process process;
    public final Path dir;
    public final int port;

    private ControllerProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public Path auditFile() {
        return dir.resolve("audit.jsonl");
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public static ControllerProcess start(ControlPlane cp, Path dir) throws Exception {
        KubernetesClient admin = cp.admin();
        List<Pod> pods = new ArrayList<>();
        Wait.until("the controller's pod", Duration.ofMinutes(2), () -> {
            pods.clear();
            pods.addAll(admin.pods().inNamespace(TemperRelease.NAMESPACE).withLabel("app.kubernetes.io/name", "temper-controller")
                    .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList());
            return !pods.isEmpty();
        });
        Files.createDirectories(dir);
        Path token = PodIdentity.tokenFile(dir.resolve("token"), PodIdentity.token(admin, pods.getFirst()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // values.yaml controller.heap, and the agent's collector and compiler choice
                "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "controller", "--api-port", "0", "--bind", "127.0.0.1", "--audit-file", dir.resolve("audit.jsonl").toString(),
                "--debounce", "200ms", "--log-format", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("controller.log").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KUBE") || k.startsWith("JAVA_TOOL"));
        env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(cp.port));
        env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", token.toString());
        env.put("KUBERNETES_CERTS_CA_FILE", cp.ca.toString());
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_NAMESPACE", TemperRelease.NAMESPACE);
        Process p = pb.start();
        p.getOutputStream().close();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Path log = dir.resolve("controller.log");
        while (System.nanoTime() < deadline) {
            Matcher m = FLEET_PAGE.matcher(Files.readString(log));
            if (m.find()) return new ControllerProcess(p, dir, Integer.parseInt(m.group(1)));
            if (!p.isAlive()) throw new AssertionError("temper controller exited:\n" + Files.readString(log));
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("temper controller never served its page:\n" + Files.readString(log));
    }

    /** The resident set of the controller's JVM, in MiB (VmRSS). */
    public double rssMiB() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024.0;
        }
        throw new IOException("no VmRSS for " + process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
