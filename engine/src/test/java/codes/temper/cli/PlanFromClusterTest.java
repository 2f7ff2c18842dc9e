package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.MockApiServer;
import codes.temper.kube.Snapshots;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code plan --node NAME}: the node and its pods read from an API server (the CRUD mock, which
 * ignores the spec.nodeName field selector and answers with every pod, so the command's own filter
 * is exercised) decide exactly as the same objects do from kubectl snapshots.
 */
class PlanFromClusterTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir Path dir;
    MockApiServer api;
    KubernetesClient client;
    Path kubeconfig;

    @BeforeEach
    void cluster() throws Exception {
        api = new MockApiServer();
        client = api.client();
        client.resource(Snapshots.readNode("node", CliTest.NODE.getBytes(StandardCharsets.UTF_8))).create();
        for (Pod p : Snapshots.readPods("pods", CliTest.PODS.getBytes(StandardCharsets.UTF_8))) {
            client.resource(new PodBuilder(p).editMetadata().withResourceVersion(null).endMetadata().build()).create();
        }
        kubeconfig = Kubeconfig.write(dir.resolve("kubeconfig"), "http://127.0.0.1:" + api.port());
    }

    @AfterEach
    void close() {
        client.close();
        api.close();
    }

    @Test
    void theNodeAndItsPodsFromTheClusterDecideAsTheirSnapshotsDo() throws Exception {
        CliRun fromCluster = CliRun.of("plan", "--policies", CliTest.DEFAULT_POLICIES.toString(), "--node", "node-a",
                "--kubeconfig", kubeconfig.toString(), "-o", "json");
        assertThat(fromCluster.code()).as(fromCluster.err()).isZero();
        JsonNode plan = JSON.readTree(fromCluster.out());
        assertThat(plan.get("node").asString()).isEqualTo("node-a");
        assertThat(plan.get("decision").get("mode").asString()).isEqualTo("attach");
        Map<String, JsonNode> a = CliTest.assignmentsByName(plan);
        // node-b's pod is not read as node-a's, and the finished pod gets no tier.
        assertThat(a).containsOnlyKeys("default/batch", "default/web", "kube-system/kube-proxy-x7k2p");
        assertThat(a.get("kube-system/kube-proxy-x7k2p").get("tier").asString()).isEqualTo("critical");
        assertThat(a.get("default/web").get("tier").asString()).isEqualTo("normal");
        assertThat(a.get("default/batch").get("tier").asString()).isEqualTo("background");

        // The same objects as kubectl would have saved them (the server gave them UIDs of its own).
        var yaml = client.getKubernetesSerialization();
        Path nodeFile = Files.writeString(dir.resolve("node.yaml"), yaml.asYaml(client.nodes().withName("node-a").get()));
        Path podsFile = Files.writeString(dir.resolve("pods.yaml"), yaml.asYaml(client.pods().inAnyNamespace().list()));
        CliRun fromFiles = CliRun.of("plan", "--policies", CliTest.DEFAULT_POLICIES.toString(), "--node", nodeFile.toString(),
                "--pods", podsFile.toString(), "-o", "json");
        assertThat(fromFiles.code()).as(fromFiles.err()).isZero();
        assertThat(plan).isEqualTo(JSON.readTree(fromFiles.out()));
    }

    @Test
    void theSafeModeAnnotationOnTheClustersNodeIsHeeded() {
        client.nodes().withName("node-a").edit(n -> {
            n.getMetadata().getAnnotations().put("temper.codes/safe-mode-requested", "true");
            return n;
        });
        CliRun r = CliRun.of("plan", "--policies", CliTest.DEFAULT_POLICIES.toString(), "--node", "node-a",
                "--kubeconfig", kubeconfig.toString(), "-o", "yaml");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("decision:\n  mode: safe-mode\n");
    }

    @Test
    void anUnknownNodeIsAProblemNamingIt() {
        CliRun r = CliRun.of("plan", "--policies", CliTest.DEFAULT_POLICIES.toString(), "--node", "node-z",
                "--kubeconfig", kubeconfig.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("node/node-z:1:1: no such node in the cluster\n1 problem(s) found\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnreachableClusterIsOneLineAndExitOne() throws Exception {
        Path closed = Kubeconfig.write(dir.resolve("closed"), "http://127.0.0.1:1");
        CliRun r = CliRun.of("plan", "--policies", CliTest.DEFAULT_POLICIES.toString(), "--node", "node-a",
                "--kubeconfig", closed.toString(), "--request-timeout", "2s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("temper: cannot reach the API server http://127.0.0.1:1/ (kubeconfig " + closed + ", context test): ")
                .contains("ConnectException").doesNotContain("\tat ");
        assertThat(r.err().lines()).hasSize(1);
    }
}
