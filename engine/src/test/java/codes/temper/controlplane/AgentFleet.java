package codes.temper.controlplane;

import codes.temper.cli.Main;
import codes.temper.deploy.ConfigMapVolume;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@value #SIZE} real {@code temper agent} processes as the chart runs them, one per test node:
 * each with its NODE_NAME, the chart's bundled policy from the real ConfigMap (laid out as the
 * kubelet mounts it), and, as in a pod, the in-cluster configuration: the API server's address,
 * its CA and a token of the chart's ServiceAccount from the TokenRequest API, bound to the agent's
 * own DaemonSet pod (bound to its node first, as the scheduler would). The scheduler side runs in
 * dry run. The JVM options are the chart's. Shared by the tests of one run; stopped at exit.
 */
public final class AgentFleet implements AutoCloseable {
    public static final int SIZE = 20;
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern STATUS_API = Pattern.compile("status API on 127\\.0\\.0\\.1:(\\d+)");
    private static AgentFleet shared;

    public record Agent(String node, Pod pod, Path dir, Process process, int port) {
        public Path log() {
            return dir.resolve("agent.log");
        }

        public Path safeModeFile() {
            return dir.resolve("safe-mode");
        }

        public Path tokenFile() {
            return dir.resolve("token");
        }

        public String token() throws IOException {
            return Files.readString(tokenFile());
        }

        /** The agent's log, one JSON object a line ({@code --log-format json}). */
        public List<JsonNode> logLines() throws IOException {
            List<JsonNode> out = new ArrayList<>();
            for (String l : Files.readAllLines(log())) {
                if (l.startsWith("{")) out.add(JSON.readTree(l));
            }
            return out;
        }

        /** When the first line after {@code after} whose message starts with {@code prefix} was logged. */
        public Optional<Instant> logged(String prefix, Instant after) throws IOException {
            return logLines().stream().filter(l -> l.get("message").asString().startsWith(prefix))
                    .map(l -> Instant.parse(l.get("time").asString())).filter(t -> !t.isBefore(after)).findFirst();
        }
    }

    public final List<Agent> agents;
    public final Path policyDir;
    public final Path root;

    private AgentFleet(List<Agent> agents, Path policyDir, Path root) {
        this.agents = agents;
        this.policyDir = policyDir;
        this.root = root;
    }

    /** What the kubelet would do before starting an agent: its pod bound to the node, a token bound to the pod, its directories. No process yet. */
    static Agent prepare(KubernetesClient admin, String node, Pod dsPod, Path root) throws IOException {
        Pod pod = PodIdentity.bind(admin, dsPod, node);
        Path dir = Files.createDirectories(root.resolve(node));
        PodIdentity.tokenFile(dir.resolve("token"), PodIdentity.token(admin, pod));
        Files.createDirectories(dir.resolve("cgroup"));
        return new Agent(node, pod, dir, null, 0);
    }

    /** One more agent like the fleet's, prepared earlier (the API server may be away now): its process started. */
    public Agent launch(ControlPlane cp, Agent prepared) throws IOException {
        return new Agent(prepared.node(), prepared.pod(), prepared.dir(), launch(cp, prepared.node(), prepared.dir(), policyDir), 0);
    }

    /** The agent with its status API's port, once it listens. */
    public static Agent listening(Agent a) throws IOException, InterruptedException {
        return new Agent(a.node(), a.pod(), a.dir(), a.process(), port(a));
    }

    /** The run's fleet: started on first use (chart installed, nodes made, pods bound, tokens requested). */
    public static synchronized AgentFleet shared() throws Exception {
        if (shared != null && shared.agents.stream().allMatch(a -> a.process().isAlive())) return shared;
        if (shared != null) shared.close();
        shared = start(ControlPlane.get(), Path.of("target/control-plane-agents").toAbsolutePath());
        AgentFleet f = shared;
        Runtime.getRuntime().addShutdownHook(new Thread(f::close));
        return shared;
    }

    static AgentFleet start(ControlPlane cp, Path root) throws Exception {
        KubernetesClient admin = cp.admin();
        TemperRelease.ensureInstalled(cp);
        List<String> nodes = TestNodes.ensure(admin, SIZE);
        Wait.until(SIZE + " agent pods", Duration.ofMinutes(3), () -> podsByNode(admin).keySet().containsAll(nodes));
        Map<String, Pod> pods = podsByNode(admin);
        ConfigMap policy = admin.configMaps().inNamespace(TemperRelease.NAMESPACE).withName("temper-policy").get();
        deleteTree(root);
        Path policyDir = ConfigMapVolume.create(root.resolve("etc-temper-policies"), policy.getData()).dir();
        List<Agent> agents = new ArrayList<>();
        try {
            for (String node : nodes) {
                Agent a = prepare(admin, node, pods.get(node), root);
                agents.add(new Agent(node, a.pod(), a.dir(), launch(cp, node, a.dir(), policyDir), 0));
            }
            List<Agent> started = new ArrayList<>();
            for (Agent a : agents) started.add(listening(a));
            AgentFleet fleet = new AgentFleet(List.copyOf(started), policyDir, root);
            for (Agent a : fleet.agents) {
                Wait.until(a.node() + " in dry run", Duration.ofMinutes(3), () -> "dry-run".equals(fleet.status(a).get("mode").asString()),
                        () -> tail(a));
            }
            return fleet;
        } catch (Exception | AssertionError e) {
            agents.forEach(a -> a.process().destroyForcibly());
            throw e;
        }
    }

    /** The DaemonSet's pods by the node each is for. */
    static Map<String, Pod> podsByNode(KubernetesClient admin) {
        return admin.pods().inNamespace(TemperRelease.NAMESPACE).withLabel("app.kubernetes.io/name", "temper-agent").list().getItems()
                .stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .collect(Collectors.toMap(ChartInstallTest::targetNode, p -> p, (a, b) -> a));
    }

    static Process launch(ControlPlane cp, String node, Path dir, Path policyDir) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // The chart's JVM options (values.yaml agent.heap and agent.jvmOptions, less the image's CDS archive).
                "-Xms64m", "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "agent", "--policies", policyDir.toString(), "--driver", "dry-run", "--port", "0", "--bind", "127.0.0.1",
                "--cache-dir", dir.resolve("cache").toString(), "--safe-mode-file", dir.resolve("safe-mode").toString(),
                "--audit-file", dir.resolve("audit.jsonl").toString(), "--cgroup-root", dir.resolve("cgroup").toString(),
                "--log-format", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KUBE") || k.startsWith("JAVA_TOOL"));
        env.put("NODE_NAME", node);
        // In a pod: the kubelet's KUBERNETES_SERVICE_HOST/PORT and the projected token and CA; fabric8
        // reads the token file again when it changes, as it does in a pod.
        env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(cp.port));
        env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", dir.resolve("token").toString());
        env.put("KUBERNETES_CERTS_CA_FILE", cp.ca.toString());
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_NAMESPACE", TemperRelease.NAMESPACE);
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    static int port(Agent a) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = STATUS_API.matcher(Files.readString(a.log()));
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!a.process().isAlive()) throw new AssertionError("agent on " + a.node() + " exited:\n" + Files.readString(a.log()));
            Thread.sleep(100);
        }
        throw new AssertionError("agent on " + a.node() + " never listened:\n" + Files.readString(a.log()));
    }

    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** GET /status of one agent. */
    public JsonNode status(Agent a) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/status"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    static String tail(Agent a) {
        try {
            List<String> lines = Files.readAllLines(a.log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Override
    public void close() {
        agents.forEach(a -> a.process().destroy());
        for (Agent a : agents) {
            try {
                if (!a.process().waitFor(20, TimeUnit.SECONDS)) a.process().destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
