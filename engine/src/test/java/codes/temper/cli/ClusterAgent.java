package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.KubeReviews;
import codes.temper.kube.MockApiServer;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.Reconciler;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A real agent with its status API in a cluster: the fabric8 mock API server (CRUD, real HTTP)
 * with the example node and pods, TokenReview and SubjectAccessReview answered by
 * {@link KubeReviews}, the dry-run driver, and the audit trail in a file on the "node".
 */
public final class ClusterAgent implements AutoCloseable {
    public static final Path EXAMPLES = Path.of("../policies/examples");
    public static final String NODE = "node-a";

    public final MockApiServer api = new MockApiServer();
    public final KubernetesClient client = api.client();
    public final KubeReviews reviews = new KubeReviews().installOn(api);
    public final Path auditFile;
    public final Agent agent;

    /**
     * @param dir          scratch directory (cgroups, audit file)
     * @param staticTokens a static token file, or null
     * @param extraPods    more pods to create (hostile names, ...), their cgroups made too
     */
    public ClusterAgent(Path dir, Path staticTokens, List<Pod> extraPods) throws Exception {
        Path cgroups = Files.createDirectories(dir.resolve("cgroup"));
        client.resource(Snapshots.readNode(EXAMPLES.resolve("node.yaml"))).create();
        List<Pod> pods = new java.util.ArrayList<>(Snapshots.readPods(EXAMPLES.resolve("pods.yaml")));
        pods.addAll(extraPods);
        for (Pod p : pods) {
            Pod created = client.resource(p).create();
            Files.createDirectories(cgroups.resolve(PodFacts.of(created, CgroupDriver.SYSTEMD).cgroup()));
        }
        auditFile = dir.resolve("var-log-temper").resolve("audit.jsonl");
        Agent.Options o = new Agent.Options(NODE, client, null, null, "../policies", null, null, null, Duration.ofSeconds(5),
                Duration.ofMinutes(1), null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null, cgroups, CgroupDriver.SYSTEMD,
                new Reconciler.Pacing(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofMillis(200)),
                EjectionBackoff.defaults(), new Agent.Api("127.0.0.1", 0, staticTokens, auditFile), Path.of("/nonexistent/btf"));
        agent = new Agent(o).start();
    }

    public String url() {
        return "http://127.0.0.1:" + agent.apiPort();
    }

    public AgentStatus await(Predicate<AgentStatus> p, String what) throws InterruptedException {
        return Await.status(agent, Duration.ofSeconds(30), p, what);
    }

    /** The Events on the node with this reason, as {@code kubectl describe node} would list them. */
    public List<Event> events(String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> NODE.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    public List<String> auditLines() throws java.io.IOException {
        return Files.exists(auditFile) ? Files.readAllLines(auditFile).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    @Override
    public void close() {
        agent.close();
        client.close();
        api.close();
    }
}
