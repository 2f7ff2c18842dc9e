package codes.temper.controlplane;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real control plane {@code scripts/control-plane up} started (etcd, kube-apiserver,
 * kube-controller-manager on 127.0.0.1): where it is, an admin client, and its components stopped
 * and started again by the same script. The tests tagged {@value #TAG} need it; {@code ./run-tests}
 * brings it up before them and down after. Without it they fail, naming the command.
 */
public final class ControlPlane {
    public static final String TAG = "control-plane";
    public static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static ControlPlane instance;

    public final Path dir;
    public final Path kubeconfig;
    public final Path ca;
    public final int port;
    private KubernetesClient admin;

    private ControlPlane(Path dir) throws IOException {
        this.dir = dir;
        this.kubeconfig = dir.resolve("kubeconfig");
        this.ca = dir.resolve("pki/ca.crt");
        Properties ports = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("ports"))) {
            ports.load(in);
        }
        this.port = Integer.parseInt(ports.getProperty("API_PORT"));
    }

    /** The one control plane of this test run. */
    public static synchronized ControlPlane get() throws IOException {
        if (instance != null) return instance;
        String d = System.getenv("TEMPER_CONTROL_PLANE_DIR");
        Path dir = d == null || d.isBlank() ? REPO.resolve(".temper/control-plane") : Path.of(d);
        if (!Files.isRegularFile(dir.resolve("kubeconfig")) || !Files.isRegularFile(dir.resolve("ports"))) {
            throw new IllegalStateException("no control plane at " + dir + ": the tests tagged '" + TAG
                    + "' run against a real one; start it with scripts/control-plane up (./run-tests does)");
        }
        instance = new ControlPlane(dir);
        return instance;
    }

    public String url() {
        return "https://127.0.0.1:" + port;
    }

    /** A client with cluster-admin rights (system:masters), as an operator's kubeconfig has. */
    public synchronized KubernetesClient admin() throws IOException {
        if (admin == null) {
            Config c = Config.fromKubeconfig(null, kubeconfig.toFile());
            c.setRequestRetryBackoffLimit(3);
            admin = new KubernetesClientBuilder().withConfig(c).build();
        }
        return admin;
    }

    /** {@code scripts/control-plane kill NAME}: SIGKILL, as a crash. */
    public void kill(String component) throws IOException, InterruptedException {
        script("kill", component);
    }

    /** {@code scripts/control-plane start NAME}: the same flags, ports and data; returns once it is ready. */
    public void start(String component) throws IOException, InterruptedException {
        script("start", component);
    }

    private void script(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", REPO.resolve("scripts/control-plane").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TEMPER_CONTROL_PLANE_DIR", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("scripts/control-plane " + String.join(" ", args) + " failed:\n" + out);
        }
    }

    /**
     * The API server's audit entries (the requests of the temper-system service accounts, at
     * Metadata level: user, verb, URI, response code), oldest first.
     */
    public List<JsonNode> audit() throws IOException {
        Path log = dir.resolve("logs/audit.jsonl");
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(log)) return out;
        for (String line : Files.readAllLines(log)) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }
}
