package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.MockApiServer;
import codes.temper.kube.NodeStatusWriter;
import codes.temper.kube.Snapshots;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fifty nodes, one agent each, one process: a fleet-wide annotate stands them all down. */
class FleetSafeModeTest {
    static final int NODES = 50;

    @TempDir
    Path dir;

    static void await(BooleanSupplier p, String what) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), p);
    }

    /** As {@code kubectl annotate node --all temper.codes/safe-mode-requested=true} (or {@code ...-}). */
    static void annotateAll(KubernetesClient client, String jsonValue) {
        for (Node n : client.nodes().list().getItems()) {
            client.nodes().withName(n.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"temper.codes/safe-mode-requested\":" + jsonValue + "}}}");
        }
    }

    @Test
    void aFleetWideAnnotateStandsEveryAgentDown() throws Exception {
        Node template = Snapshots.readNode(Path.of("../policies/examples/node.yaml"));
        List<Agent> agents = new ArrayList<>();
        try (MockApiServer api = new MockApiServer(); KubernetesClient client = api.client()) {
            for (int i = 0; i < NODES; i++) {
                client.resource(new NodeBuilder(template).editMetadata().withName(String.format("node-%02d", i)).withUid(null)
                        .withResourceVersion(null).endMetadata().build()).create();
            }
            for (int i = 0; i < NODES; i++) {
                agents.add(new Agent(new Agent.Options(String.format("node-%02d", i), client, null, null, "../policies", null, null, null,
                        Duration.ofSeconds(5), Duration.ofMinutes(1), null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null,
                        dir, CgroupDriver.SYSTEMD, Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(), null, null)).start());
            }
            await(() -> agents.stream().allMatch(a -> a.supervisor().driver().attached()), "all attached");

            annotateAll(client, "\"true\"");
            await(() -> agents.stream().noneMatch(a -> a.supervisor().driver().attached()), "all detached");
            await(() -> agents.stream().allMatch(a -> a.status().mode() == Mode.SAFE_MODE), "all report safe-mode");
            await(() -> client.nodes().list().getItems().stream().allMatch(n ->
                    "safe-mode".equals(n.getMetadata().getAnnotations().get(NodeStatusWriter.STATUS_ANNOTATION))), "all annotated safe-mode");

            annotateAll(client, "null");
            await(() -> agents.stream().allMatch(a -> a.supervisor().driver().attached()), "all re-attached");
            await(() -> client.nodes().list().getItems().stream().allMatch(n ->
                    "dry-run:--driver dry-run was requested".equals(n.getMetadata().getAnnotations().get(NodeStatusWriter.STATUS_ANNOTATION))), "all annotated engaged (dry run)");
            assertThat(agents).allSatisfy(a -> assertThat(a.status().agentStatus()).isEqualTo("dry-run:--driver dry-run was requested"));
        } finally {
            agents.forEach(Agent::close);
        }
    }
}
