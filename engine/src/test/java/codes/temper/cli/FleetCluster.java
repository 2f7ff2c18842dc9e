package codes.temper.cli;

import codes.temper.api.AuditLog;
import codes.temper.api.FleetServer;
import codes.temper.auth.KubernetesAccess;
import codes.temper.auth.StaticTokens;
import codes.temper.controller.Fleet;
import codes.temper.controller.SafeModeController;
import codes.temper.kube.CgroupDriver;
import codes.temper.kube.KubeReviews;
import codes.temper.kube.MockApiServer;
import codes.temper.kube.NodeStatusWriter;
import codes.temper.kube.Snapshots;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.reconcile.Reconciler;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A small fleet on the mock API server (CRUD, real HTTP and watches): the TemperPolicy CRD, one
 * node per name, a real agent per node (dry-run driver, no status API), the controller with its
 * fleet page authenticated the Kubernetes way ({@link KubeReviews}) and auditing to a file.
 */
public final class FleetCluster implements AutoCloseable {
    /** What a dry-run agent reports when it is not in safe mode. */
    public static final String ENGAGED = "dry-run:--driver dry-run was requested";

    public final MockApiServer api = new MockApiServer();
    public final KubernetesClient client = api.client();
    public final KubeReviews reviews = new KubeReviews().installOn(api);
    public final List<Agent> agents = new ArrayList<>();
    public final Path auditFile;
    public final SafeModeController controller;
    public final FleetServer page;

    /**
     * @param names        node names; a function may add labels per node
     * @param withAgents   run a real agent on each node
     * @param staticTokens a static token file, or null
     */
    public FleetCluster(Path dir, List<String> names, Function<String, Map<String, String>> labels, boolean withAgents, Path staticTokens)
            throws Exception {
        try (InputStream crd = getClass().getResourceAsStream("/META-INF/fabric8/temperpolicies.temper.codes-v1.yml")) {
            client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
        }
        Node template = Snapshots.readNode(ClusterAgent.EXAMPLES.resolve("node.yaml"));
        for (String name : names) {
            client.resource(new NodeBuilder(template).editMetadata().withName(name).withUid(null).withResourceVersion(null)
                    .addToLabels(labels.apply(name)).endMetadata().build()).create();
        }
        if (withAgents) {
            for (String name : names) {
                agents.add(new Agent(new Agent.Options(name, client, null, null, "../policies", null, null, null, Duration.ofSeconds(5),
                        Duration.ofMinutes(1), null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null,
                        Files.createDirectories(dir.resolve("cgroup-" + agents.size())), CgroupDriver.SYSTEMD,
                        new Reconciler.Pacing(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofMillis(200)),
                        EjectionBackoff.defaults(), null, null)).start());
            }
        }
        controller = new SafeModeController(client, new SafeModeController.Options(Duration.ofMinutes(10), Duration.ofMillis(100),
                Duration.ofSeconds(1)));
        controller.start();
        auditFile = dir.resolve("controller-audit.jsonl");
        StaticTokens tokens = staticTokens == null ? StaticTokens.none() : StaticTokens.fromFile(staticTokens);
        page = FleetServer.start(new Fleet(client, controller, Clock.systemUTC()),
                KubernetesAccess.of(client, tokens, KubernetesAccess.Ttl.DEFAULT, Clock.systemUTC()), AuditLog.appendingTo(auditFile),
                "127.0.0.1", 0);
    }

    public String url() {
        return "http://127.0.0.1:" + page.port();
    }

    public Map<String, String> annotations(String node) {
        var a = client.nodes().withName(node).get().getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    public String agentStatus(String node) {
        return annotations(node).get(NodeStatusWriter.STATUS_ANNOTATION);
    }

    public List<TemperPolicy> policies() {
        return client.resources(TemperPolicy.class).list().getItems();
    }

    public List<Event> events(String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream().filter(e -> reason.equals(e.getReason())).toList();
    }

    public List<String> auditLines() throws java.io.IOException {
        return Files.exists(auditFile) ? Files.readAllLines(auditFile).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    @Override
    public void close() {
        page.close();
        controller.close();
        agents.forEach(Agent::close);
        client.close();
        api.close();
    }
}
